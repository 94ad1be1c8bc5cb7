package app

import (
	"os"
	"path/filepath"
	"strings"
)

// MaxAttachmentBytes is the largest file Tandem attaches to a reply or
// downloads (the Desk client's limit: Upload.json declares none; 20 MB is
// Zoho's documented limit per attachment, a guess kept on the safe side).
const MaxAttachmentBytes = 20 << 20

// CheckAttachment says why a file cannot be attached (nil when it can):
// it cannot be read, is not a file, is empty or is over the size limit.
func CheckAttachment(path string) error {
	name := filepath.Base(path)
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return Errorf(EINVALID, "%s cannot be read.", name)
	case !fi.Mode().IsRegular():
		return Errorf(EINVALID, "%s is not a file.", name)
	case fi.Size() == 0:
		return Errorf(EINVALID, "%s is empty.", name)
	case fi.Size() > MaxAttachmentBytes:
		return Errorf(EINVALID, "%s is larger than Zoho Desk accepts (%d MB at most).", name, MaxAttachmentBytes>>20)
	}
	return nil
}

// RunnableFile reports a file name whose type can run programs or scripts
// when opened (so Tandem offers only to save it).
func RunnableFile(name string) bool {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(strings.TrimRight(name, ". ")), "."))
	switch ext {
	case "exe", "com", "bat", "cmd", "msi", "msp", "scr", "pif", "cpl", "ps1", "psm1", "vbs", "vbe", "js", "jse",
		"wsf", "wsh", "hta", "jar", "lnk", "reg", "inf", "sh", "bash", "zsh", "csh", "command", "app", "dmg", "pkg",
		"deb", "rpm", "apk", "appimage", "desktop", "run", "bin", "py", "pl", "rb", "php", "html", "htm", "xhtml",
		"svg", "mht", "docm", "xlsm", "pptm", "iso", "msix", "appx", "scpt", "workflow":
		return true
	}
	return false
}
