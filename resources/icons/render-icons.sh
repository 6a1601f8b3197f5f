#!/usr/bin/env bash
# Renders the hicolor PNGs from the SVG. Run after changing dev.preflight.Preflight.svg, then commit the PNGs.
# Needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 22 24 32 48 64 128 256; do
    mkdir -p "hicolor/${size}x${size}"
    rsvg-convert -w "$size" -h "$size" dev.preflight.Preflight.svg -o "hicolor/${size}x${size}/dev.preflight.Preflight.png"
done
