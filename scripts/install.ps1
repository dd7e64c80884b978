# Installs the latest (or $env:SPECWORK_VERSION) specwork release for Windows x64 into
# $env:SPECWORK_INSTALL_DIR (default $HOME\.specwork\bin), checking its SHA-256.
#   irm https://github.com/specwork/specwork/releases/latest/download/install.ps1 | iex
$ErrorActionPreference = 'Stop'
$repo = if ($env:SPECWORK_REPO) { $env:SPECWORK_REPO } else { 'specwork/specwork' }
$dir = if ($env:SPECWORK_INSTALL_DIR) { $env:SPECWORK_INSTALL_DIR } else { Join-Path $HOME '.specwork\bin' }
$tag = if ($env:SPECWORK_VERSION) { 'v' + $env:SPECWORK_VERSION.TrimStart('v') } else {
  (Invoke-RestMethod "https://api.github.com/repos/$repo/releases/latest").tag_name }
$name = "specwork-$tag-x86_64-pc-windows-msvc"
$base = "https://github.com/$repo/releases/download/$tag"
$tmp = Join-Path ([IO.Path]::GetTempPath()) ([Guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
Invoke-WebRequest "$base/$name.zip" -OutFile "$tmp\$name.zip"
Invoke-WebRequest "$base/$name.zip.sha256" -OutFile "$tmp\$name.zip.sha256"
$want = (Get-Content "$tmp\$name.zip.sha256").Split(' ')[0].ToLower()
$got = (Get-FileHash "$tmp\$name.zip" -Algorithm SHA256).Hash.ToLower()
if ($want -ne $got) { throw "checksum mismatch for $name.zip" }
Expand-Archive "$tmp\$name.zip" -DestinationPath $tmp
New-Item -ItemType Directory -Force -Path $dir | Out-Null
Copy-Item "$tmp\$name\specwork.exe" (Join-Path $dir 'specwork.exe') -Force
Remove-Item -Recurse -Force $tmp
Write-Host "installed $(& (Join-Path $dir 'specwork.exe') --version) to $dir"
if (-not ($env:PATH -split ';' | Where-Object { $_ -eq $dir })) { Write-Host "note: add $dir to PATH" }
