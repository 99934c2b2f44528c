-- pycocotools' mask API through annovet.geom: every output must equal
-- pycocotools exactly (compressed counts strings, areas, boxes, IoU matrices).
--
-- Reference values: pycocotools 2.0.11 (github.com/ppwwyyxx/cocoapi @ ac87f50,
-- built locally with Debian's numpy 1.24 and cython3), computed by a script that
-- draws the inputs with random.Random(20240501) and prints them with the outputs:
--   POLYS[i].counts = mask.frPyObjects([xy], h, w)[0]['counts'], .area = mask.area,
--     .bbox = mask.toBbox (40 polygons, vertices inside and outside the image,
--     integer, 1- and 2-decimal and half-pixel coordinates);
--   MULTI[i].counts = mask.merge(mask.frPyObjects(parts, h, w))['counts'];
--   BOXES[i].counts = mask.frPyObjects(np.array([bb]), h, w)[0]['counts'];
--   ENCODE[i] = mask.encode(np.asfortranarray(m.reshape(h, w, 1)))[0] and
--     mask.decode of it (the last mask holds 2s: pycocotools starts a run at any change);
--   MSET = frPyObjects of POLYS[1..8] at 30 x 40; MERGE_UNION = mask.merge(MSET),
--   MERGE_INTER = mask.merge(MSET[1..3], intersect=1);
--   IOU_MASK = mask.iou(MSET[1..5], MSET[5..8], [0, 1, 0, 1]);
--   ODD = POLYS[1] at 31 x 40: IOU_ODD = mask.iou(MSET[1..2], [ODD], [0]) (-1: sizes
--     differ), MERGE_ODD = mask.merge([MSET[1], ODD]) (empty 0 x 0);
--   IOU_BOX = mask.iou(np.array(BD), np.array(BG), [0, 1, 0]);
--   EMPTY_BBOX = mask.toBbox of '0d0n0' and of counts [50, 0] at 10 x 5 (an empty
--     mask with a trailing empty run: pycocotools' unsigned arithmetic);
--   DEGENERATE[i].counts = _mask.frPoly([xy], h, w)[0]['counts'] (w = 0, h = 0, 1- and
--     2-point polygons, far-away vertices);
--   FIXTURE_* = the two segmentations of ../shared/fixtures/formats/coco/instances_val.json
--     through frPyObjects (crowd RLE) and merge(frPyObjects(polygons)).
local H = require "tests.support.helper"
local S = require "tests.support.scripted"

local POLYS = {{xy = {8.5, 0.5, 16.5, 61.5, 24.5, 9.5, 7.5, 45.5, 14.5, 10.5}, h = 58, w = 25, counts = "i?3`02=0H6KM8:[OIi03]OGg02AN=LF=f0:F7I0OL5L4K5L4K5Ld1", area = 289, bbox = {8.0, 2.0, 16.0, 56.0}}, {xy = {41.0, -0.2, -4.0, 27.0, 3.71, -1.0, 28.26, 21.0, -5.3, 19.0}, h = 21, w = 50, counts = ";62L66KJ1:O52O0AL=4CM;4EL;8N2OJH07OJ24OL23MN40M04OK2;100KLH57MH385OII36MK25MM22N010O10N030M04OL06OI1>0O010O01O10O010O0l7", area = 270, bbox = {0.0, 0.0, 38.0, 21.0}}, {xy = {11.1, 48.8, 2.98, 3.1, 15.47, 27.79, 21.1, 36.0, -1.0, 7.6, -3.0, 54.05}, h = 51, w = 14, counts = "9Z1:O2NHkN3T1OoNMP15SOIj09UOLe06ZON`05@O:3E152J30OOl000OWO", area = 362, bbox = {0.0, 4.0, 14.0, 47.0}}, {xy = {3.39, 15.0, 22.2, -0.5, -0.39, 25.83, 22.0, 18.8, 21.97, 23.18, 26.31, 16.4, 6.0, 35.8, 22.7, 7.0, -0.7, 0.5}, h = 31, w = 31, counts = "13e0NA6:JG:4GM;NG28NH37MJ44LM43KM62JO60I23HM4042JN1060J1OO8OJ2NN8OK5KLb07IHJ6KI;2I5MI83K5LI74L3MJ64L72JN8OJ0d00N00O10[4", area = 325, bbox = {0.0, 1.0, 26.0, 30.0}}, {xy = {61.0, 46.37, 64.9, 47.2, 26.6, 25.3}, h = 42, w = 58, counts = "W\\11d20[10eN000fN0Z1000fN0O010O10O10O0e2", area = 16, bbox = {33.0, 29.0, 22.0, 13.0}}, {xy = {9.7, 35.66, 8.0, 38.1, 2.0, -7.9}, h = 32, w = 20, counts = "P34R11O2M3NO0KT:", area = 39, bbox = {3.0, 0.0, 6.0, 32.0}}, {xy = {-6.15, 1.8, 0.6, 7.84, -3.21, 10.07}, h = 6, w = 13, counts = "^2", area = 0, bbox = {0.0, 0.0, 0.0, 0.0}}, {xy = {8.5, 15.5, 43.5, 0.5, 13.5, -1.5, 29.5, 18.5, 26.5, 2.5, 30.5, -6.5}, h = 11, w = 38, counts = "T5282N2N3M10O2JN04OL08OO110O10b0LB0O100O100O10000O1", area = 123, bbox = {14.0, 0.0, 24.0, 11.0}}, {xy = {-0.84, 15.0, 5.68, 37.0, 0.0, 12.0}, h = 45, w = 2, counts = ">5]1NZO", area = 8, bbox = {0.0, 14.0, 2.0, 8.0}}, {xy = {-1.67, 16.99, 6.8, 14.82, 25.25, 17.0, 23.5, 15.0, 47.0, 6.0, -0.33, -7.0, 41.54, 7.2, 22.59, -4.81, 11.03, 5.8}, h = 11, w = 40, counts = "\\2191O1O1O1O1O1O100O1Oh10YN00001O01O01O000OOI16OJ16201O0OOLM43MM24ML252L", area = 258, bbox = {6.0, 0.0, 34.0, 11.0}}, {xy = {38.98, 10.17, 30.0, 13.0, 31.0, 12.8, 47.48, 4.82, 23.09, 22.8, -4.0, 18.03, 12.0, 21.1, 18.0, 4.0, 8.0, -5.7}, h = 22, w = 41, counts = "[31^30cN0aN3_OM<6DK88HH5?L\\1OhN001O001O0O2N1O2O0O2N1O2O0O2KBO?41K@1a0O_O0b0110O0I", area = 344, bbox = {4.0, 0.0, 37.0, 22.0}}, {xy = {-8.0, 5.18, -4.63, -0.0, 2.0, 3.1, 15.64, 9.8}, h = 17, w = 11, counts = "25=O001O010O001O0010O0I", area = 34, bbox = {0.0, 2.0, 11.0, 7.0}}, {xy = {5.5, 33.14, 14.0, 26.09, 3.1, 15.1, 14.0, 11.89, 7.0, -7.0, 0.82, 12.7}, h = 36, w = 9, counts = "^16k07I7IJDN72K20N10001N021MO", area = 174, bbox = {1.0, 0.0, 8.0, 33.0}}, {xy = {-1.7, 31.84, 8.6, 30.34, 2.0, 32.0, 15.25, 18.0, -4.6, 19.0, -5.7, -5.0, 7.5, 16.4, 5.5, 34.7, -0.1, -1.0}, h = 39, w = 14, counts = "23>91FK:6KD6=LA0OHa07GI>4C1:MDNd00UO7n0O1O1O1O1O1O_O", area = 128, bbox = {0.0, 2.0, 14.0, 32.0}}, {xy = {1.5, 13.5, 1.5, 23.5, 6.5, 21.5, -6.5, 0.5, 5.5, 16.5}, h = 22, w = 3, counts = ":2e0000\\O5", area = 13, bbox = {0.0, 10.0, 3.0, 12.0}}, {xy = {0.0, -4.36, 7.08, -2.0, 7.0, 1.0}, h = 6, w = 1, counts = "6", area = 0, bbox = {0.0, 0.0, 0.0, 0.0}}, {xy = {8.0, 30.1, 7.1, 47.6, -1.1, 49.0, 2.0, 5.01, 33.73, 37.68, 11.44, 34.97, 7.42, 27.4}, h = 45, w = 29, counts = "k0b0<?I71O1O1O2N1]OFM?4=1O1O1OO1O1O1O100O1O1O1O1O1O1O100O1O1O1OPO", area = 548, bbox = {0.0, 5.0, 29.0, 40.0}}, {xy = {-6.4, 19.0, 0.05, 15.0, -0.0, -3.0, 6.0, -6.0, 8.19, 18.13, -4.7, 6.0, 5.4, 18.0, 0.75, -2.2}, h = 16, w = 1, counts = ";14", area = 1, bbox = {0.0, 11.0, 1.0, 1.0}}, {xy = {26.5, 10.7, 48.0, -1.7, 43.0, 3.02}, h = 4, w = 40, counts = "o41", area = 1, bbox = {39.0, 3.0, 1.0, 1.0}}, {xy = {-1.1, 2.0, -2.41, 9.0, -4.3, -7.3, 6.7, 32.21, 19.0, 42.55, 1.8, -6.15, 7.0, 6.0}, h = 58, w = 12, counts = "37c13N3L3IBmNa0Q1_OmNd0S1[OmNg0T1O1N2M2O2NZO", area = 210, bbox = {0.0, 0.0, 12.0, 36.0}}, {xy = {-6.43, 21.14, 19.0, 9.0, 29.0, 5.1, 18.5, 28.0}, h = 48, w = 58, counts = "b05Z1101N100O101O0O100O2O0O101N100O101N10N1O2N2M2O2N1O2N2M2O][1", area = 317, bbox = {0.0, 5.0, 29.0, 23.0}}, {xy = {11.5, 9.5, -0.5, 23.5, 12.5, 44.5, -6.5, 54.5, 24.5, 20.5, 25.5, 26.5, 21.5, 48.5, 19.5, -6.5}, h = 47, w = 19, counts = "f03[13XOK17MJ29KH4:JG5<GF7>FC9?EB:j0OGF^O:b0I\\O6d0MYO2h00WONj0:1O0011O1O1", area = 447, bbox = {0.0, 0.0, 19.0, 47.0}}, {xy = {-3.7, 14.0, -0.5, -8.0, -5.3, -5.0, 19.7, 15.3, 13.7, 39.0, -7.0, 15.0, 2.22, 37.91, -5.0, 27.15}, h = 32, w = 22, counts = "0g0:1N100000000O2OO1O1O1O001O1O1O1K4L5K5Ke1", area = 416, bbox = {0.0, 0.0, 20.0, 32.0}}, {xy = {10.9, 36.0, -5.0, 7.1, 6.37, 62.0, 21.0, 48.55, 15.0, 0.5, -4.0, -6.48}, h = 55, w = 20, counts = "06;:;ID:7IG;4HK;0G0<KG4P1O1O1N2O00g54SJ8G9G9G9GmN", area = 862, bbox = {0.0, 0.0, 20.0, 55.0}}, {xy = {10.71, 38.06, 37.0, 36.81, 28.3, 22.3, 55.0, 3.0, 6.0, 29.86, 32.9, 31.7, 10.85, 53.52, 30.0, 29.2}, h = 47, w = 52, counts = "g91^10O100O100O1lNMl03TOMk04TOMl03TOMk05SOL4N?7]OK3O`06\\OL3Na07\\OK1Od06[OK0Oe07ZOK0Ng07YOJ0Og08XONi02WOI0Oi0=XOBi0=XOBh0;VOEo0<VODe04WO0OM20g03[O1MMh01]O1JOh00A4?LC2<NG09OI060MN32d000010O01O0010O01O0010O000[1", area = 349, bbox = {6.0, 5.0, 45.0, 42.0}}, {xy = {19.61, 21.95, 9.06, 0.0, 1.0, -7.9, 44.72, 3.4, 12.0, 4.35, 6.8, 5.85, -4.9, 2.5}, h = 15, w = 40, counts = "43<10O01O1O100O0O2JI28MJ1j01_O2N2N2N2N000000000000000000000000000000001O00001O0000N", area = 206, bbox = {0.0, 0.0, 40.0, 15.0}}, {xy = {-3.7, 10.9, 26.75, -1.0, -3.5, 9.12, 1.5, 2.6, 10.0, -3.2}, h = 6, w = 25, counts = "4231O0001O001O<0E050K050K05060<", area = 24, bbox = {0.0, 0.0, 21.0, 6.0}}, {xy = {22.43, -7.0, 40.16, -3.2, 25.7, 28.0, 36.8, 34.8, 46.0, 30.4, 35.0, 45.1}, h = 43, w = 50, counts = "XP12Y14L4[OHO<KG4=FF9<ED;:LB3<?MHFE8>K^O3d083M3M1MROIP15301O1N101O0Oj5", area = 250, bbox = {24.0, 0.0, 21.0, 43.0}}, {xy = {54.5, -3.5, 32.5, 28.5, 16.5, 6.5, 7.5, 37.5}, h = 32, w = 47, counts = "o91l03L4M3L4M2M4M22N2N2N3M2N3N1N2N3M2N10O3M2O2M2N2N0000O100O2O0O10000O100O101NN", area = 371, bbox = {9.0, 4.0, 38.0, 28.0}}, {xy = {3.62, 10.0, -1.0, -1.0, 8.6, 22.0, 8.0, 1.1, 6.71, 12.32, 3.4, 16.14}, h = 15, w = 4, counts = "j12", area = 2, bbox = {3.0, 13.0, 1.0, 2.0}}, {xy = {3.0, 10.0, 2.0, 5.19, 27.7, -7.8, -3.2, 0.1, 9.0, 8.37, -1.32, 4.5, 35.19, -1.9, 8.7, 4.0}, h = 9, w = 29, counts = "031N32MO23NL14O31IO5200LN01OO10O40M030M05010000000O0100000a00_O000T1", area = 65, bbox = {0.0, 0.0, 25.0, 9.0}}, {xy = {6.0, 15.3, 16.0, 42.0, 6.54, 14.96, 24.4, 21.4, 4.0, 36.0}, h = 40, w = 24, counts = "o55h0:N2OA]O<e0F[O7e0L[O0f03YOJi08WOEi0<XODf0;5N101N1O101N1O1O2O0O\\O", area = 192, bbox = {4.0, 15.0, 20.0, 21.0}}, {xy = {6.9, -3.98, 37.96, 5.0, 4.0, -1.1, 43.0, 22.1, 34.3, 19.27}, h = 22, w = 40, counts = "j41e01O001O010NN_O2`0N@2`0NA2>NC1=OD1;0E0:0GO91G080IO80I060K041801O0000<0YO010N021MO418010BO61701O010O\\O", area = 79, bbox = {7.0, 0.0, 33.0, 21.0}}, {xy = {-0.0, 23.0, 27.57, 36.0, 17.8, 41.9, -0.6, 17.0, 26.61, 19.1, 8.64, -2.23}, h = 42, w = 41, counts = "a0131Q10mN2Q1MRO2k01VOOf04\\OJa09@G<=53_OA6`0K@4`0LA3?NB1=OD1;0F080I061JO51MN23NM130NO21NN210N101OO12NO03OM06NJ27MJ1h00Ya0", area = 373, bbox = {0.0, 0.0, 27.0, 42.0}}, {xy = {36.2, 8.0, 25.3, 25.0, 25.85, 4.0, 30.87, 11.2, 7.12, -7.6, 35.11, 9.53}, h = 20, w = 32, counts = "d:1c000100O100O01000ONB;2EN:2HL85HK5821NK", area = 89, bbox = {17.0, 0.0, 15.0, 20.0}}, {xy = {21.5, -5.5, 9.5, 37.5, 5.5, 14.5, 3.5, -6.5, 16.5, 30.5}, h = 33, w = 15, counts = "T43n0:H5L2M4MO1M3K5I7J13[O", area = 151, bbox = {4.0, 0.0, 11.0, 33.0}}, {xy = {2.0, -3.9, 19.0, 23.2, 12.4, 8.34, 15.9, 11.3, 10.4, -1.0}, h = 58, w = 19, counts = "R92h11O2N1O2N2O02J^N0b1O_N0b1O_N1a1N`N2e1O2OT1", area = 70, bbox = {5.0, 0.0, 13.0, 21.0}}, {xy = {15.17, -8.0, 11.0, 21.5, -7.0, 15.7, 0.7, 39.53, 18.44, -2.1, 21.5, 12.97, 24.36, 22.18, 27.4, 38.0, -4.0, 22.17}, h = 37, w = 27, counts = "?36:8GI85KJ37NJO63JK68JD8=GC8?FD8e0NIHF69LG46LN3OJ76BNb082N3L3N3O03N4K4M3L3N3L5L4K", area = 574, bbox = {0.0, 0.0, 27.0, 37.0}}, {xy = {62.05, 5.27, 44.0, 5.0, 3.11, -0.2, 17.0, 14.8, 4.59, 9.1, -6.3, 4.0}, h = 11, w = 58, counts = "4381O001KL14OM04OM031MO21N02ON21NO30M04OL15NK270001O000000000001O01O000000000000001O00000000000000R6", area = 128, bbox = {0.0, 0.0, 40.0, 11.0}}, {xy = {62.56, 48.0, 37.0, 54.6, 45.33, 29.6, 8.3, -5.0, -1.3, 19.9, 42.0, 18.5, 58.52, 14.71}, h = 59, w = 60, counts = "`04d13M3N2M3N2M3000000000000001N2O1O1O001O1O1O1O1O1O1O1O1O1O1O1O1O1O00l10TN1O1VONI330M1O21OK45MG59MC6=K_O8a0I[O:e0=10O1000O10O1000O10O1000O107IZO", area = 1067, bbox = {0.0, 0.0, 60.0, 54.0}}}
local MULTI = {{parts = {{-0.9, 11.0, 13.3, 18.3, 26.5, 2.2, 6.4, 10.3, 25.8, 5.8, 21.2, -0.1}, {19.0, 19.4, 35.4, 20.8, 31.0, -1.5, 36.1, 7.6}, {15.8, 1.7, 12.7, -1.6, 14.5, 10.7, 7.9, 6.8, 4.9, 13.9, -0.0, 19.5}, {2.2, 7.7, 7.1, 13.8, 38.5, -0.6}}, h = 18, w = 42, counts = ":2`00O2M201O001O0O2O0O2O0O5L>1ROO<3O2O001O001N4MNLI27OI17OI160I071IO71IN73IM64IL780MIN33MI05113M2ONO5OQ3"}, {parts = {{0.7, 44.7, -2.2, 42.3, -0.3, 16.4, 1.8, 17.6}, {7.4, 30.3, 4.5, -0.9, 4.4, 11.2}}, h = 42, w = 5, counts = "a0i0a0@h2NeM"}, {parts = {{-2.0, -1.6, 7.6, 11.7, 12.6, 4.2, 12.4, 8.0}, {8.0, 3.3, 6.2, -1.5, 15.9, 2.1, 18.1, 4.6, 0.1, -1.9}, {20.1, 13.1, 7.1, -1.2, 29.1, 12.2, 8.6, 12.4, 8.6, 1.8}, {19.4, 2.1, 10.6, 6.1, 21.6, -1.4}}, h = 12, w = 34, counts = "02;0O2O0MML33NL42LO40KO0172MNL0;OL0K04040J0010OO160HO50K15OK261N3O1O001O001O1O00m1"}, {parts = {{1.3, -2.2, 7.4, 13.8, 2.0, 26.0, -2.9, 5.4, 3.3, 13.4}, {-1.9, 31.0, -0.0, 2.7, 10.6, 24.5, 6.8, 29.8}, {6.6, -0.0, 2.0, -1.4, -1.9, 9.6, 1.1, -0.1, 9.0, 5.3, 8.7, 31.9}}, h = 41, w = 11, counts = "211j0?NJ]OH`09\\OFi0:WOIf07[OKb05_OL?8FF2<<b0]O4MYO"}, {parts = {{11.6, 24.4, -0.1, 17.7, 17.1, 12.5, 5.3, 45.7}, {40.0, 14.6, 25.5, 11.6, 20.1, 20.4, 36.1, 26.2}, {19.7, 33.9, 4.6, 10.6, 5.3, 46.4, 23.2, 40.0}, {-0.1, 4.8, 7.8, 3.0, 40.9, 49.2, 6.2, 36.7, 1.0, 26.5}}, h = 50, w = 39, counts = "5;V1<E2N2N2N=B1001N2O2N1N2O2M2O1O0SO]Oj0g0O2N1O2NM^OWOa0h0@YO`0d0C]O;a0G@8?IC6<KD4<LE3;MG28OH09OH080JO52KM53MK36MJ35NJ251JN36LJ1;MWO"}, {parts = {{25.0, 23.2, -1.9, 33.6, 10.8, 27.2}, {13.5, 12.3, 5.2, 13.1, 25.8, 1.3, 0.4, 15.4, 32.3, 5.5}}, h = 35, w = 34, counts = "P11c10mN0b00^O00010O010N01010`01^OO2010L11OC0<0d00@0L14OL050K000E0o00\\O000F0:0W10iN050K0W10b1000Q2"}, {parts = {{17.5, 10.2, 41.7, 0.2, 26.2, 12.7, 34.1, 16.3}, {25.8, 12.6, 37.9, 2.1, 22.8, -0.2}, {20.0, 16.4, 40.4, 7.9, 24.8, -1.1, 30.3, 10.4}, {27.3, -2.9, 15.1, 7.6, -1.6, 0.3, 5.6, 0.9, 4.1, 3.9}}, h = 14, w = 45, counts = "?1=000020N000001N101O000O2O000O0100O1OLNN13OM041KN53KO31M9O=0E0M1MOH2:000O2O0O100JL24NL15NM12OO0W2"}, {parts = {{10.3, 31.7, 10.4, 24.6, 2.8, 9.7, 9.8, 9.3}, {-1.0, 23.5, -0.4, -2.1, 10.5, -2.9}, {11.0, 5.3, 4.5, 10.1, 8.4, 7.2, 2.7, 26.1, 2.4, 27.8}, {0.3, 25.5, -0.4, 24.4, -2.3, 25.9}}, h = 30, w = 8, counts = "0d0:N2N2NLCK<2E17IL1N84I0:MI55"}, {parts = {{10.6, 6.1, 12.1, 12.9, 2.7, 33.0, 5.4, 32.1}, {9.4, 2.6, 6.6, 23.5, 8.5, 7.9}}, h = 37, w = 13, counts = "^42Q11O2NMLO[O0j03M3M35Jn0"}, {parts = {{10.8, 23.7, 13.6, 15.2, 5.8, 5.5}, {6.9, 1.0, -0.0, 34.8, -2.4, 28.0, 8.7, 27.1, 6.9, 18.7, 0.6, 28.4}, {3.4, 13.1, 7.0, 16.2, 16.2, 7.3, 16.5, 29.7}, {10.2, 27.2, 15.4, 0.4, 5.1, 10.7, -0.2, 31.6, 4.1, 27.2, 10.9, 11.3}}, h = 35, w = 15, counts = "l04k02N3M3ME^O==CD`0<AC`0?IBK=7GD8>56JN23M2N\\OJ>4"}}
local BOXES = {{bb = {22.09, 35.95, 16.6, 4.06}, h = 45, w = 25, counts = "RP14Y1000lN"}, {bb = {1.21, 11.68, 1.89, 13.12}, h = 39, w = 5, counts = "c1=j00R2"}, {bb = {-1.56, -4.28, 1.69, 38.92}, h = 44, w = 8, counts = "P;"}, {bb = {5.97, 5.71, 1.0, 16.92}, h = 20, w = 40, counts = "n3>dd0"}, {bb = {3.38, -1.33, 10.74, 5.87}, h = 29, w = 39, counts = "g25h00000000000000000000ef0"}, {bb = {-4.75, 5.41, 7.53, 10.6}, h = 40, w = 11, counts = "5;m0000k9"}, {bb = {5.55, -1.74, 19.3, 11.46}, h = 16, w = 43, counts = "P3:600000000000000000000000000000000000P9"}, {bb = {-1.08, -4.44, 5.41, 47.81}, h = 48, w = 6, counts = "0[1500000P3"}, {bb = {6.71, -3.61, 13.93, 3.03}, h = 7, w = 22, counts = "j4"}, {bb = {17.53, 12.21, 0.49, 5.86}, h = 25, w = 39, counts = "_n0"}}
local ENCODE = {{mask = {1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1}, h = 4, w = 7, counts = "011023N30K020M", decoded = {1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1}}, {mask = {1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1}, h = 5, w = 5, counts = "032NO01:OF00", decoded = {1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1}}, {mask = {1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1, 0}, h = 3, w = 5, counts = "011010O31MO", decoded = {1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1, 0}}, {mask = {1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1}, h = 6, w = 2, counts = "041M0002", decoded = {1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1}}, {mask = {0, 0, 1, 1, 1, 1}, h = 2, w = 3, counts = "24", decoded = {0, 0, 1, 1, 1, 1}}, {mask = {1, 0, 2, 1, 1, 2, 0, 2, 1, 1, 2, 1, 0, 0, 1, 1, 1, 0, 2, 0, 1}, h = 7, w = 3, counts = "011010O010O12ON00", decoded = {1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0}}}
local MSET = {{size = {30, 40}, counts = "`85k06I7_OB4:;I6Jh00[O2N2M3N2N2N2NK5Lj>"}, {size = {30, 40}, counts = ";62O<3EM77IH4;ND2<NC4<LC6;KE5;8N2OAH97FJ;4FL;3DN=0D0=OB2d0100KL_O5`0M_O3a05OI@3?MB2>MD2;NG19OH070J060KO50MO21>0O010O01O10O010O0l1"}, {size = {30, 40}, counts = "9e0:O2NH@3?ODM;5HI59JL06ONL44<O1O1O100O1O10O0dd0"}, {size = {30, 40}, counts = "13e0N@6;JF:5GL;OG18OH27NJ34MM33LM52KO50J27LI42IN2060J0O08OJ1NO8OK4KMb06IIJ5KJ;2I4MJ83K4LJ74L2MK64L62KN7OK0c00N00O10d<"}, {size = {30, 40}, counts = "ko01d5"}, {size = {30, 40}, counts = "j24P11O2M3NM2KVl0"}, {size = {30, 40}, counts = "`U1"}, {size = {30, 40}, counts = "j91l0001O001FNG39NE2<OB2>0_O0b00^O0b0O@Oa00AO?08O\\O1d01N2O2F9OGHM73:O100O100O10000O100O1"}}
local MERGE_UNION = "135b0L80l10TN1O001^ONO4IM9ON:9K@Na0OA1f00YOM:1I4KMb0O^O4<KI0N1MO=0G030e0000O1ZO0=2BO<3BM64HO3K5?LFN94EM;5EI5>KA56MM73:O100O10O02O000O100O1"
local MERGE_INTER = "`U1"
local IOU_MASK = {{0.0, 0.0, 0.0, 0.05511811023622047}, {0.0, 0.046263345195729534, 0.0, 0.1103202846975089}, {0.0, 0.10119047619047619, 0.0, 0.0}, {0.0, 0.043343653250773995, 0.0, 0.11764705882352941}, {1.0, 0.0, 0.0, 0.0}}
local ODD = {size = {31, 40}, counts = "i85l06I7^OC492C06`0Jh01ZO2N2M3N2N2N1OK5LZ?"}
local IOU_ODD = {{-1.0}, {-1.0}}
local MERGE_ODD = {size = {0, 0}, counts = ""}
local BD = {{6.202913008918596, 17.973758274054774, 9.065658998926615, 9.533826581930258}, {15.13472813029065, 12.297548735767682, 1.7167312230908782, 3.6414446406759735}, {1.3189039625594945, 5.065123997775814, 14.078566865378265, 7.388931158938937}, {3.037396783822295, 1.5904107194391304, 0.6979929306585192, 11.948094541254054}}
local BG = {{3.998177661607716, 11.267632546951898, 4.1492564582716955, 1.0351896573033899}, {7.073490166907799, 10.825437688066701, 11.433399322943933, 9.226061987357848}, {8.536752348687456, 17.848509185083607, 12.923963018219789, 9.510437136892715}}
local IOU_BOX = {{0.0, 0.19700541408255284, 0.4322513160231307}, {0.0, 0.9999999999999999, 0.0}, {0.04129049931500604, 0.13031970347264055, 0.0}, {0.0, 0.0, 0.0}}
local EMPTY_BBOX = {{0.0, 0.0, 2.0, 10.0}, {5.0, 10.0, 4294967292.0, 4294967287.0}}
local EMPTY_COUNTS = "b10"
local FIXTURE_CROWD = {size = {10, 5}, counts = "0d0n0"}
local FIXTURE_POLY = {size = {10, 5}, counts = "02`1"}
local DEGENERATE = {{xy = {1.2, 3.4, 7.9, 2.2, 5.5, 9.1}, h = 10, w = 0, counts = "0=1L1O1O2N1NN3N"}, {xy = {1.2, 3.4, 7.9, 2.2, 5.5, 9.1}, h = 0, w = 10, counts = "0"}, {xy = {-4.5, 2.5, 30.5, 8.5}, h = 12, w = 20, counts = "`7"}, {xy = {3.3, 3.3}, h = 8, w = 8, counts = "P2"}, {xy = {0, 0, 10000.0, 5, 9999.5, 7.5, -20, 6}, h = 16, w = 40, counts = "06:000000000000000000000000000000000000000000000000000000000000000000000000000000"}}

describe("mask API (pycocotools parity)", function()
  it("rasterises polygons as rleFrPoly, with area and toBbox", function()
    local got = S.run([[
      local g = annovet.geom
      local out = {}
      for i, p in ipairs(DATA) do
        local r = g.fr_poly(p.xy, p.h, p.w)
        out[i] = {counts = r.counts, area = g.area(r), bbox = g.to_bbox(r), h = r.size[1], w = r.size[2]}
      end
      emit(out)]], POLYS)
    for i, p in ipairs(POLYS) do
      assert.are.equal(p.counts, got[i].counts, "polygon " .. i)
      assert.are.equal(p.area, got[i].area, "area " .. i)
      assert.are.same(p.bbox, got[i].bbox, "bbox " .. i)
      assert.are.same({p.h, p.w}, {got[i].h, got[i].w})
    end
  end)

  it("rasterises degenerate polygons and sizes as rleFrPoly does", function()
    local got = S.run([[
      local out = {}
      for i, p in ipairs(DATA) do out[i] = annovet.geom.fr_poly(p.xy, p.h, p.w).counts end
      emit(out)]], DEGENERATE)
    for i, p in ipairs(DEGENERATE) do assert.are.equal(p.counts, got[i], "case " .. i) end
  end)

  it("merges the parts of a polygon segmentation (annToRLE) and rasterises boxes", function()
    local got = S.run([[
      local g = annovet.geom
      local out = {multi = {}, boxes = {}}
      for i, p in ipairs(DATA.multi) do out.multi[i] = g.to_rle(p.parts, p.h, p.w).counts end
      for i, b in ipairs(DATA.boxes) do out.boxes[i] = g.fr_bbox(b.bb, b.h, b.w).counts end
      emit(out)]], {multi = MULTI, boxes = BOXES})
    for i, p in ipairs(MULTI) do assert.are.equal(p.counts, got.multi[i], "multi " .. i) end
    for i, b in ipairs(BOXES) do assert.are.equal(b.counts, got.boxes[i], "box " .. i) end
  end)

  it("encodes and decodes column-major masks", function()
    local got = S.run([[
      local g = annovet.geom
      local out = {}
      for i, e in ipairs(DATA) do
        local r = g.encode(e.mask, e.h, e.w)
        out[i] = {counts = r.counts, decoded = g.decode(r)}
      end
      emit(out)]], ENCODE)
    for i, e in ipairs(ENCODE) do
      assert.are.equal(e.counts, got[i].counts, "encode " .. i)
      assert.are.same(e.decoded, got[i].decoded, "decode " .. i)
    end
  end)

  it("merges, intersects and computes mask and box IoU with iscrowd", function()
    local got = S.run([[
      local g = annovet.geom
      local m = DATA.mset
      local sub = function(a, b) return table.move(m, a, b, 1, {}) end
      emit({
        union = g.merge(m).counts,
        inter = g.merge(sub(1, 3), true).counts,
        iou = g.iou(sub(1, 5), sub(5, 8), {0, 1, 0, 1}),
        iou_odd = g.iou(sub(1, 2), {DATA.odd}, {false}),
        merge_odd = g.merge({m[1], DATA.odd}),
        iou_box = g.iou(DATA.bd, DATA.bg, {0, 1, 0}),
        empty = g.iou({}, m, {0, 0, 0, 0, 0, 0, 0, 0}),
      })]], {mset = MSET, odd = ODD, bd = BD, bg = BG})
    assert.are.equal(MERGE_UNION, got.union)
    assert.are.equal(MERGE_INTER, got.inter)
    assert.are.same(IOU_MASK, got.iou)
    assert.are.same(IOU_ODD, got.iou_odd)
    assert.are.same(MERGE_ODD.size, got.merge_odd.size)
    assert.are.equal(MERGE_ODD.counts, got.merge_odd.counts)
    assert.are.same(IOU_BOX, got.iou_box)
    assert.are.same({}, got.empty)
  end)

  it("keeps toBbox's unsigned quirk and frPyObjects' dispatch", function()
    local got = S.run([[
      local g = annovet.geom
      local poly = {0.0, 0.0, 1.0, 0.0, 1.0, 2.0, 0.0, 2.0}
      emit({
        bbox = {g.to_bbox({size = {10, 5}, counts = "0d0n0"}), g.to_bbox({size = {10, 5}, counts = {50, 0}})},
        empty = g.fr_objects({size = {10, 5}, counts = {50, 0}}, 10, 5).counts,
        crowd = g.fr_objects({counts = {0, 20, 30}, size = {10, 5}}, 10, 5),
        poly = g.to_rle({poly}, 10, 5),
        list = g.fr_objects({poly, poly}, 10, 5),
        boxes = g.fr_objects({{0, 0, 1, 2}}, 10, 5),
        one_box = g.fr_objects({0, 0, 1, 2}, 10, 5).counts,
      })]])
    assert.are.same(EMPTY_BBOX, got.bbox)
    assert.are.equal(EMPTY_COUNTS, got.empty)
    assert.are.same(FIXTURE_CROWD, got.crowd)
    assert.are.same(FIXTURE_POLY, got.poly)
    assert.are.equal(2, #got.list)
    assert.are.equal(FIXTURE_POLY.counts, got.list[2].counts)
    -- a box rasterises as the polygon of its corners (rleFrBbox calls rleFrPoly)
    assert.are.equal(FIXTURE_POLY.counts, got.boxes[1].counts)
    assert.are.equal(FIXTURE_POLY.counts, got.one_box)
  end)

  it("rasterises the real fixture's segmentations", function()
    local path = H.fixture("formats/coco/instances_val.json")
    if not path then
      pending(H.NO_SHARED)
      return
    end
    local got = S.run([[
      local g = annovet.geom
      local d = assert(annovet.json.decode(DATA.text))
      local img = d.images[1]
      local out = {}
      for i, a in ipairs(d.annotations) do out[i] = g.to_rle(a.segmentation, img.height, img.width) end
      emit(out)]], {text = H.slurp(path)})
    assert.are.same({FIXTURE_POLY, FIXTURE_CROWD}, got)
  end)

  it("raises on malformed RLEs and bad arguments", function()
    local cases = {
      {[[annovet.geom.area({size = {10, 5}, counts = {0, 20}})]], "runs sum to 20, not h %* w"},
      {[[annovet.geom.area({size = {10, 5}, counts = "0d0n0x"})]], "not in '0'..'o'"},
      {[[annovet.geom.area({counts = "0d0n0"})]], "size: expected {h, w}"},
      {[[annovet.geom.fr_poly({0, 0, 0/0, 1, 2, 2}, 10, 10)]], "finite number"},
      {[[annovet.geom.fr_poly({0, 0, 1e12, 1, 2, 2}, 10, 10)]], "not a number within"},
      {[[annovet.geom.iou({{0, 0, 1, 1}}, {{0, 0, 1, 1}}, {0, 0})]], "one flag per gt"},
      {[[annovet.geom.encode({1, 0}, 3, 1)]], "expected h %* w values"},
    }
    for _, c in ipairs(cases) do
      local err, status = S.fail(c[1])
      assert.are.equal(2, status, c[1])
      assert.truthy(err:find(c[2]), c[1] .. ": " .. err)
    end
  end)
end)
