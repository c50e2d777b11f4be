#!/usr/bin/env bash
# Re-create assets/vendor/: the third-party front-end files the static book
# serves itself, so that a page loads nothing from any other host.
#
#   bash scripts/vendor_assets.sh          # re-create assets/vendor/ from npm
#   bash scripts/vendor_assets.sh --check  # re-create it in a temporary folder
#                                          # and compare with the committed one
#
# Every package is fetched with `npm pack` at a pinned version and checked
# against the pinned sha256 of its tarball before anything is copied. Only the
# files a page loads are kept, each package with its licence; the sha256 of
# every vendored file is written to assets/vendor/SHA256SUMS (the unit tests
# check the folder against it).
#
# Versions:
# - @jupyter-widgets/html-manager 1.0.15: the widget manager of ipywidgets
#   8.1.9's release (same @jupyter-widgets/base ^6.0.12 and controls ^5.0.13
#   as jupyterlab-manager 5.0.16, which jupyterlab_widgets 3.0.17 ships).
#   Its tarball carries no licence file, so the licence comes from
#   @jupyter-widgets/jupyterlab-manager 5.0.16 (the same repository and
#   release: ipywidgets' BSD-3-Clause licence plus the licences of the
#   libraries both bundles contain) and, for the icon fonts bundled in
#   embed-amd.js, from @fortawesome/fontawesome-free 5.15.4 (the version the
#   bundle names).
# - requirejs 2.3.7: the AMD loader embed-amd.js needs. The tarball has no
#   licence file; require.js's header states the MIT licence, whose text is
#   written below.
# - mathjax 3.2.2: the MathJax 3 that Sphinx 7.4 loads by default
#   (mathjax@3 tex-chtml.js), with the CHTML woff-v2 fonts it loads, the TeX
#   extensions its autoload may fetch and the ui/lazy extension.
set -euo pipefail
cd "$(dirname "$0")/.."

HTML_MANAGER=1.0.15
JUPYTERLAB_MANAGER=5.0.16
FONTAWESOME=5.15.4
REQUIREJS=2.3.7
MATHJAX=3.2.2

declare -A SHA256=(
  [jupyter-widgets-html-manager-$HTML_MANAGER.tgz]=2b9d65cb7913e1c7d671757a10008b32c9c2448d4429513371e55c07d6107638
  [jupyter-widgets-jupyterlab-manager-$JUPYTERLAB_MANAGER.tgz]=b42ea2a2b215554d2c16a9ebd392c0999fdd17ebfcebaae7b0869c0036eda29c
  [fortawesome-fontawesome-free-$FONTAWESOME.tgz]=6d890608585d48f50f6434a90ed3f581e76d360edb26800dba2f782ef3e77e11
  [requirejs-$REQUIREJS.tgz]=31f3330c978fb28684622fe71165dc946432cf0210b2ea8a1ca0233e70f2737d
  [mathjax-$MATHJAX.tgz]=1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09
)

check=0
[ "${1:-}" = "--check" ] && check=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/vendor"
mkdir -p "$out"

fetch() {  # fetch SPEC TARBALL -> unpacks into $work/TARBALL.d/package
  local spec=$1 tarball=$2
  (cd "$work" && npm pack --silent "$spec" > /dev/null)
  local sum
  sum=$(sha256sum "$work/$tarball" | cut -d' ' -f1)
  if [ "$sum" != "${SHA256[$tarball]}" ]; then
    echo "sha256 of $tarball is $sum, expected ${SHA256[$tarball]}" >&2
    exit 1
  fi
  mkdir -p "$work/$tarball.d"
  tar xzf "$work/$tarball" -C "$work/$tarball.d"
}

# --- @jupyter-widgets/html-manager: libembed-amd.js (the manager as AMD
# modules; assets/js/widgets-embed.js renders the widgets with it, in place
# of embed-amd.js, which is the same file plus a call that renders every
# widget on "load") and the woff2 icon fonts it loads (its CSS lists woff2
# first; browsers fetch only that one)
fetch "@jupyter-widgets/html-manager@$HTML_MANAGER" "jupyter-widgets-html-manager-$HTML_MANAGER.tgz"
fetch "@jupyter-widgets/jupyterlab-manager@$JUPYTERLAB_MANAGER" "jupyter-widgets-jupyterlab-manager-$JUPYTERLAB_MANAGER.tgz"
fetch "@fortawesome/fontawesome-free@$FONTAWESOME" "fortawesome-fontawesome-free-$FONTAWESOME.tgz"
hm="$out/html-manager-$HTML_MANAGER"
mkdir -p "$hm/dist"
src="$work/jupyter-widgets-html-manager-$HTML_MANAGER.tgz.d/package"
cp "$src/dist/libembed-amd.js" "$src/dist/"*.woff2 "$hm/dist/"
cp "$work/jupyter-widgets-jupyterlab-manager-$JUPYTERLAB_MANAGER.tgz.d/package/LICENSE" "$hm/LICENSE"
cp "$work/fortawesome-fontawesome-free-$FONTAWESOME.tgz.d/package/LICENSE.txt" "$hm/LICENSE-fontawesome-free.txt"

# --- requirejs
fetch "requirejs@$REQUIREJS" "requirejs-$REQUIREJS.tgz"
rq="$out/requirejs-$REQUIREJS"
mkdir -p "$rq"
cp "$work/requirejs-$REQUIREJS.tgz.d/package/require.js" "$rq/"
head -3 "$rq/require.js" | grep -q "Released under MIT license" || {
  echo "require.js no longer states the MIT licence in its header" >&2; exit 1; }
cat > "$rq/LICENSE" <<'EOF'
RequireJS: Copyright jQuery Foundation and other contributors.
Released under the MIT license (as stated in the header of require.js):

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
EOF

# --- MathJax 3: the combined TeX + CHTML component, its fonts, the TeX
# extensions that its autoload fetches when a page uses their macros, and the
# lazy-typesetting extension (formulas are typeset when they come into view)
fetch "mathjax@$MATHJAX" "mathjax-$MATHJAX.tgz"
mj="$out/mathjax-$MATHJAX"
src="$work/mathjax-$MATHJAX.tgz.d/package"
mkdir -p "$mj/output/chtml/fonts" "$mj/input/tex"
cp "$src/es5/tex-chtml.js" "$src/LICENSE" "$mj/"
cp -r "$src/es5/output/chtml/fonts/woff-v2" "$mj/output/chtml/fonts/"
cp -r "$src/es5/input/tex/extensions" "$mj/input/tex/"
mkdir -p "$mj/ui"
cp "$src/es5/ui/lazy.js" "$mj/ui/"
rm "$mj/input/tex/extensions/all-packages.js"   # loads every extension at once; autoload does not use it

cat > "$out/VERSIONS" <<EOF
Front-end files served by the book itself (re-create with scripts/vendor_assets.sh).
@jupyter-widgets/html-manager $HTML_MANAGER   html-manager-$HTML_MANAGER/   BSD-3-Clause (LICENSE); Font Awesome Free $FONTAWESOME fonts (LICENSE-fontawesome-free.txt)
requirejs $REQUIREJS                       requirejs-$REQUIREJS/         MIT (LICENSE)
mathjax $MATHJAX                           mathjax-$MATHJAX/             Apache-2.0 (LICENSE)
EOF
(cd "$out" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)

if [ "$check" = 1 ]; then
  diff -r "$out" assets/vendor && echo "assets/vendor matches the pinned packages"
else
  rm -rf assets/vendor
  mkdir -p assets
  cp -r "$out" assets/vendor
  echo "assets/vendor re-created: $(du -sh assets/vendor | cut -f1)"
fi
