; Tandem's Windows installer: a per-user install (no administrator) into
; %LOCALAPPDATA%\Programs\Tandem, a Start-menu entry, an uninstaller listed
; in Settings › Apps. Built by .ci/package.sh windows with makensis:
;   makensis -DVERSION=… -DEXE=Tandem.exe -DICON=tandem.ico -DLICENSES=… -DOUT=setup.exe tandem.nsi
Unicode true
!include "MUI2.nsh"

Name "Tandem"
OutFile "${OUT}"
InstallDir "$LOCALAPPDATA\Programs\Tandem"
InstallDirRegKey HKCU "Software\Tandem" "InstallDir"
RequestExecutionLevel user
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "Tandem"
VIAddVersionKey "FileDescription" "Tandem installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "Tandem developers"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\Tandem.exe"
!define UNINST "Software\Microsoft\Windows\CurrentVersion\Uninstall\Tandem"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Japanese"

Section "Tandem"
  SetOutPath "$INSTDIR"
  File "/oname=Tandem.exe" "${EXE}"
  File "/oname=THIRD_PARTY_LICENSES.txt" "${LICENSES}"
  WriteUninstaller "$INSTDIR\Uninstall.exe"
  CreateShortcut "$SMPROGRAMS\Tandem.lnk" "$INSTDIR\Tandem.exe"
  WriteRegStr HKCU "Software\Tandem" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINST}" "DisplayName" "Tandem"
  WriteRegStr HKCU "${UNINST}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST}" "Publisher" "Tandem developers"
  WriteRegStr HKCU "${UNINST}" "DisplayIcon" "$INSTDIR\Tandem.exe"
  WriteRegStr HKCU "${UNINST}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegDWORD HKCU "${UNINST}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST}" "NoRepair" 1
SectionEnd

; The data folder (%APPDATA%\Tandem: the database and its backups) is the
; user's and stays; so does "Start Tandem when I log in" unless removed here.
Section "Uninstall"
  Delete "$INSTDIR\Tandem.exe"
  Delete "$INSTDIR\THIRD_PARTY_LICENSES.txt"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\Tandem.lnk"
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "Tandem"
  DeleteRegKey HKCU "${UNINST}"
  DeleteRegKey HKCU "Software\Tandem"
SectionEnd
