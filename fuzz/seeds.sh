#!/bin/sh
# Remakes the committed seed corpora, fuzz/corpus/<target>/, from the project's
# own generators (tools/gen_*.lua, tools/pngwrite.lua) and the small hand-written
# files in fuzz/seeds/. Run from the top of the tree: sh fuzz/seeds.sh
set -e
cd "$(dirname "$0")/.."
C=fuzz/corpus
S=fuzz/seeds
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
rm -rf "$C"
mkdir -p "$C/coco" "$C/voc" "$C/yolo" "$C/cvat" "$C/labelstudio" "$C/csv_tags" "$C/pngmask" "$C/rle"

# COCO: instances with crowd RLE (compressed and not), keypoints, results.
lua5.4 tools/gen_coco.lua --seed 1 --images 2 --objects 3 --crowd 0.5 --compressed 0.5 > "$C/coco/instances.json"
lua5.4 tools/gen_coco.lua --seed 2 --images 1 --objects 2 --keypoints > "$C/coco/keypoints.json"
lua5.4 tools/gen_coco.lua --seed 3 --images 2 --objects 3 --results > "$C/coco/results.json"
cp $S/coco_*.json "$C/coco/"

# VOC: a generated folder, and a hand-written file with parts, actions, attributes.
lua5.4 tools/gen_delivery.lua --format voc --seed 3 --images 2 "$t/voc"
set -- "$t"/voc/Annotations/*.xml
sh fuzz/pack.sh "$C/voc/generated" "$1" "$t/voc/labelmap.txt" - - "$2"
printf 'img_0001\n' > "$t/train.txt"
lua5.4 -e 'io.write(require("tools.pngwrite").encode{rows = {{0, 1, 1}, {2, 2, 0}}, depth = 8, color = 3, palette = 3})' > "$t/seg.png"
sh fuzz/pack.sh "$C/voc/parts" $S/voc_parts.xml $S/voc_labelmap.txt "$t/train.txt" "$t/seg.png"

# YOLO: Ultralytics detect and pose folders with BMP images; a Darknet folder.
lua5.4 tools/gen_delivery.lua --format yolo --seed 3 --images 2 "$t/yolo"
lua5.4 tools/gen_delivery.lua --format yolo --seed 4 --images 1 --pose "$t/pose"
sh fuzz/pack.sh "$C/yolo/detect" "$t/yolo/data.yaml" "$t/yolo/labels/im_0001.txt" "$t/yolo/images/im_0001.bmp" - - \
  "$t/yolo/labels/im_0002.txt" "$t/yolo/images/im_0002.bmp"
sh fuzz/pack.sh "$C/yolo/pose" "$t/pose/data.yaml" "$t/pose/labels/im_0001.txt" "$t/pose/images/im_0001.bmp"
sh fuzz/pack.sh "$C/yolo/darknet" - - - $S/yolo_obj.names - - - $S/yolo_obj.data $S/yolo_train.txt \
  $S/yolo_c.txt "$t/yolo/images/im_0001.bmp"
sh fuzz/pack.sh "$C/yolo/classes" - "$S/yolo_obb.txt" - - $S/yolo_classes.txt

# CVAT: a generated task, and a hand-written one with every shape and a track.
lua5.4 tools/gen_delivery.lua --format cvat --seed 3 --images 2 "$t/cvat"
cp "$t/cvat/annotations.xml" "$C/cvat/generated.xml"
cp $S/cvat_*.xml "$C/cvat/"

# Label Studio and the tag CSV: hand-written.
cp $S/labelstudio_*.json "$C/labelstudio/"
cp $S/csv_*.csv "$C/csv_tags/"

# PNG label images: palette, 8- and 16-bit gray, gray-valued RGB; class lists.
lua5.4 - "$t" <<'LUA'
local P = require "tools.pngwrite"
local function put(name, png) local f = assert(io.open(name, "wb")) f:write(png) f:close() end
put(arg[1] .. "/pal.png", P.encode{rows = {{0, 1, 1}, {2, 2, 0}}, depth = 8, color = 3, palette = 3})
put(arg[1] .. "/g8.png", P.encode{rows = {{0, 1}, {255, 1}}, depth = 8, color = 0})
put(arg[1] .. "/g16.png", P.encode{rows = {{0, 1}, {1, 2}}, depth = 16, color = 0})
put(arg[1] .. "/rgb.png", P.encode{rows = {{{1, 1, 1}, {0, 0, 0}}}, depth = 8, color = 2})
put(arg[1] .. "/g1.png", P.encode{rows = {{0, 1, 0, 1}}, depth = 1, color = 0})
LUA
sh fuzz/pack.sh "$C/pngmask/palette" "$t/pal.png" $S/pngmask_classes.txt "$t/g8.png"
sh fuzz/pack.sh "$C/pngmask/gray16" "$t/g16.png" - - $S/voc_labelmap.txt
sh fuzz/pack.sh "$C/pngmask/rgb" "$t/rgb.png" $S/pngmask_classes.txt "$t/g1.png"

# RLE: counts strings of pycocotools (the tests' masks) and longer ones.
for s in '02`1' '0370n0' '0' '52203' 'PPYo1' '`0:4O1N2O0O2M3N1O000000000O1000000' '1N1O1O1N2N1O1O1O2N1O1N2O00001O1N2O0O100O1O1O1O1N10O'; do
  printf '%s' "$s" > "$C/rle/$(printf '%s' "$s" | sha1sum | cut -c1-12)"
done
echo "seeds: $(find "$C" -type f | wc -l) files in $C"
