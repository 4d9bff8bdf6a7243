; Inno Setup 6 script: a per-user installer (no administrator rights) for the PyInstaller
; one-folder build. Build on Windows:
;   pip install -e ".[server,camera,dist]"
;   pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\fieldkit.spec
;   iscc /DAppVersion=0.1.0 installer\windows\fieldkit.iss
; The result is dist\FieldKit-Setup-<version>.exe. fieldkitw.exe (no console) opens the
; app; fieldkit.exe (console) is the command line, e.g. `fieldkit.exe --self-test`.
;
; Data is NOT in the install folder: FieldKit keeps the local store, blobs and settings in
; %LOCALAPPDATA%\FieldKit\FieldKit (platformdirs), which upgrades and the uninstaller leave
; alone, so unsynced signed slips survive both. Tokens and the device key are in Windows
; Credential Manager (keyring).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
; A fixed AppId makes a new version an upgrade of the installed one, not a second copy.
AppId={{6C7E3F2A-9B1D-4E5A-8F0C-3D2B1A0F9E47}
AppName=FieldKit
AppVersion={#AppVersion}
AppPublisher=FieldKit
DefaultDirName={localappdata}\Programs\FieldKit
DefaultGroupName=FieldKit
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=FieldKit-Setup-{#AppVersion}
SetupIconFile=..\..\resources\icons\fieldkit.ico
UninstallDisplayIcon={app}\fieldkitw.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running FieldKit before files are replaced (it saves on close).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder build; files of an older version not in the new one are removed by
; [InstallDelete] below so a stale DLL never shadows a new one.
Source: "..\..\dist\fieldkit\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\FieldKit"; Filename: "{app}\fieldkitw.exe"; Parameters: "run"
Name: "{group}\{cm:UninstallProgram,FieldKit}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\FieldKit"; Filename: "{app}\fieldkitw.exe"; Parameters: "run"; Tasks: desktopicon

[Run]
Filename: "{app}\fieldkitw.exe"; Parameters: "run"; Description: "{cm:LaunchProgram,FieldKit}"; Flags: nowait postinstall skipifsilent
