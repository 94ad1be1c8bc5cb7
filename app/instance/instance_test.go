package instance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/app"
)

// TestMain lets the test binary play a second process: with
// TANDEM_INSTANCE_CHILD set it holds that folder, answers requests by
// printing them, and runs until its standard input closes.
func TestMain(m *testing.M) {
	if dir := os.Getenv("TANDEM_INSTANCE_CHILD"); dir != "" {
		os.Exit(child(dir))
	}
	os.Exit(m.Run())
}

func child(dir string) int {
	l, err := Acquire(dir, "child")
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = l.Serve(ctx, func(ctx context.Context, op string, args []string) Response {
		fmt.Printf("got %s %s\n", op, strings.Join(args, " "))
		return Response{OK: true, Message: "done " + op}
	})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
	l.Release()
	return 0
}

// startChild runs the test binary as a second process holding dir and
// returns it once it serves, with a channel of the lines it prints.
func startChild(t *testing.T, dir string) (*exec.Cmd, *os.File, <-chan string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TANDEM_INSTANCE_CHILD="+dir)
	stdin, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = stdin
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	t.Cleanup(func() { w.Close(); cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case l := <-lines:
		if l != "ready" {
			t.Fatalf("child: %s", l)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the child never held the folder")
	}
	return cmd, w, lines
}

func TestTwoProcesses(t *testing.T) {
	dir := t.TempDir()
	cmd, stdin, lines := startChild(t, dir)

	_, err := Acquire(dir, "test")
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("a second Acquire while the child holds the folder: %v", err)
	}
	if held.Info.PID != cmd.Process.Pid || held.Info.Version != "child" {
		t.Errorf("held by %+v, want the child's pid %d", held.Info, cmd.Process.Pid)
	}
	if !strings.Contains(held.Error(), fmt.Sprint(cmd.Process.Pid)) {
		t.Errorf("the message does not name the process: %s", held.Error())
	}

	ctx := context.Background()
	resp, err := Call(ctx, dir, "show", "a b", "c")
	if err != nil || !resp.OK || resp.Message != "done show" {
		t.Fatalf("call: %+v %v", resp, err)
	}
	if got := <-lines; got != "got show a b c" {
		t.Errorf("the child got %q", got)
	}

	// A caller without the token is refused.
	info, _ := readInfo(dir)
	c, err := net.Dial("tcp", info.Addr)
	if err != nil {
		t.Fatal(err)
	}
	json.NewEncoder(c).Encode(Request{Token: "guess", Op: "show"})
	var r Response
	json.NewDecoder(c).Decode(&r)
	c.Close()
	if r.OK || r.Code != app.EFORBIDDEN {
		t.Errorf("wrong token: %+v", r)
	}

	// The child ends without releasing (killed): the OS frees the folder.
	stdin.Close()
	cmd.Process.Kill()
	cmd.Wait()
	l, err := AcquireWait(ctxTimeout(t, 10*time.Second), dir, "test")
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	if _, err := Call(ctx, dir, "show"); app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Errorf("calling a headless holder: %v", err)
	}
	l.Release()
}

func TestReleaseFreesTheFolder(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "v")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, InfoFile)); err != nil {
		t.Errorf("no info file: %v", err)
	}
	l.Release()
	if _, err := os.Stat(filepath.Join(dir, InfoFile)); !os.IsNotExist(err) {
		t.Errorf("info file left after release: %v", err)
	}
	l2, err := Acquire(dir, "v")
	if err != nil {
		t.Fatal(err)
	}
	l2.Release()
	if _, err := Call(context.Background(), dir, "show"); app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Errorf("call with nobody holding: %v", err)
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
