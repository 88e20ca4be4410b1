#!/usr/bin/env bash
# Refresh the prebuilt browser assets from the npm registry. Needs npm (only here: Alur itself
# never runs Node.js). Pin versions below; commit what changes, licenses included.
set -euo pipefail
cd "$(dirname "$0")"
SWAGGER_UI=5.35.0
BPMN_JS=18.31.1
CHART_JS=4.6.1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # package version -> unpacked folder
    (cd "$work" && npm pack "$1@$2" --silent >/dev/null && mkdir -p "$1" && tar xzf "$1"-*.tgz -C "$1")
    echo "$work/$1/package"
}

src=$(fetch swagger-ui-dist "$SWAGGER_UI")
rm -rf swagger-ui && mkdir swagger-ui
cp "$src"/{swagger-ui-bundle.js,swagger-ui.css,LICENSE,NOTICE} swagger-ui/
cp "$src"/swagger-ui-bundle.js.LICENSE.txt swagger-ui/
echo "swagger-ui-dist $SWAGGER_UI" > swagger-ui/VERSION
src=$(fetch bpmn-js "$BPMN_JS")
rm -rf bpmn-js && mkdir -p bpmn-js
# The navigated viewer (zoom and scroll) is what the request and SOP pages show.
cp "$src"/dist/bpmn-navigated-viewer.production.min.js "$src"/LICENSE bpmn-js/
cp -r "$src"/dist/assets/* bpmn-js/
echo "bpmn-js $BPMN_JS" > bpmn-js/VERSION
src=$(fetch chart.js "$CHART_JS")
rm -rf chartjs && mkdir chartjs
# The UMD bundle defines window.Chart: the dashboard's charts (no source map, no modules).
cp "$src"/dist/chart.umd.min.js chartjs/
cp "$src"/LICENSE.md chartjs/LICENSE
echo "chart.js $CHART_JS" > chartjs/VERSION

echo "Refreshed swagger-ui $SWAGGER_UI, bpmn-js $BPMN_JS and chart.js $CHART_JS."
