package autostart

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

func item(home string) *Item {
	return &Item{ID: "com.tandemcrm.tandem", Name: "Tandem", Exe: "/opt/Tandem Apps/tandem", Args: []string{"--hidden", "--data-dir", "/home/u/My Data/100%"}, Home: home}
}

func TestDesktopEntry(t *testing.T) {
	got := item("").desktopEntry()
	want := `Exec="/opt/Tandem Apps/tandem" --hidden --data-dir "/home/u/My Data/100%%"` + "\n"
	if !strings.Contains(got, want) {
		t.Errorf("entry:\n%s\nwant the line %s", got, want)
	}
	for _, line := range []string{"[Desktop Entry]\n", "Type=Application\n", "Name=Tandem\n", "Icon=com.tandemcrm.tandem\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("entry lacks %q", line)
		}
	}
	for in, want := range map[string]string{`a"b`: `"a\"b"`, `$HOME`: `"\$HOME"`, `back\slash`: `"back\\slash"`, "plain": "plain", "": `""`} {
		if got := desktopQuote(in); got != want {
			t.Errorf("desktopQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// The LaunchAgent is a well-formed property list with the arguments in order.
func TestLaunchAgent(t *testing.T) {
	it := item("")
	it.Args = append(it.Args, "<&>")
	plist := it.launchAgent()
	dec := xml.NewDecoder(strings.NewReader(plist))
	var strs []string
	inString := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v\n%s", err, plist)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			inString = v.Name.Local == "string"
		case xml.CharData:
			if inString {
				strs = append(strs, string(v))
			}
		case xml.EndElement:
			inString = false
		}
	}
	want := []string{"com.tandemcrm.tandem", "/opt/Tandem Apps/tandem", "--hidden", "--data-dir", "/home/u/My Data/100%", "<&>", "Interactive"}
	if strings.Join(strs, "|") != strings.Join(want, "|") {
		t.Errorf("strings %q\nwant    %q", strs, want)
	}
	if !strings.Contains(plist, "<key>RunAtLoad</key>\n\t<true/>") {
		t.Error("not run at load")
	}
}

func TestRunValue(t *testing.T) {
	it := &Item{Exe: `C:\Users\Yamada Taro\AppData\Local\Programs\Tandem\tandem.exe`, Args: []string{"--hidden", "--data-dir", `D:\CRM data\`, `say "hi"`}}
	want := `"C:\Users\Yamada Taro\AppData\Local\Programs\Tandem\tandem.exe" --hidden --data-dir "D:\CRM data\\" "say \"hi\""`
	if got := it.runValue(); got != want {
		t.Errorf("run value\n%s\nwant\n%s", got, want)
	}
}
