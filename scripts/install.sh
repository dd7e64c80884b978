#!/bin/sh
# Installs the latest (or $SPECWORK_VERSION) specwork release binary into $SPECWORK_INSTALL_DIR
# (default ~/.local/bin), checking its SHA-256 against the release's checksum file.
#   curl -fsSL https://github.com/specwork/specwork/releases/latest/download/install.sh | sh
set -eu
repo=${SPECWORK_REPO:-specwork/specwork}
dir=${SPECWORK_INSTALL_DIR:-$HOME/.local/bin}
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  *) echo "error: no prebuilt specwork for $(uname -s)-$(uname -m)" >&2
     echo "hint: cargo install --locked specwork" >&2; exit 1 ;;
esac
if [ -n "${SPECWORK_VERSION:-}" ]; then tag=v${SPECWORK_VERSION#v}; else
  tag=$(curl -fsSL "https://api.github.com/repos/$repo/releases/latest" | sed -n 's/.*"tag_name": *"\([^"]*\)".*/\1/p' | head -1)
fi
name=specwork-$tag-$target
base=https://github.com/$repo/releases/download/$tag
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
curl -fsSL -o "$tmp/$name.tar.gz" "$base/$name.tar.gz"
curl -fsSL -o "$tmp/$name.tar.gz.sha256" "$base/$name.tar.gz.sha256"
want=$(cut -d' ' -f1 "$tmp/$name.tar.gz.sha256")
if command -v sha256sum >/dev/null; then got=$(sha256sum "$tmp/$name.tar.gz" | cut -d' ' -f1); else got=$(shasum -a 256 "$tmp/$name.tar.gz" | cut -d' ' -f1); fi
[ "$want" = "$got" ] || { echo "error: checksum mismatch for $name.tar.gz" >&2; exit 1; }
tar xzf "$tmp/$name.tar.gz" -C "$tmp"
mkdir -p "$dir"
install -m 755 "$tmp/$name/specwork" "$dir/specwork"
echo "installed $("$dir/specwork" --version) to $dir/specwork"
case ":$PATH:" in *":$dir:"*) ;; *) echo "note: add $dir to PATH" ;; esac
