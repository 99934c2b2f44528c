/* Label Studio JSON export ("labelstudio"): an array of tasks, each with its
 * annotations (completed_by: the annotator), predictions and results in percent
 * of the image. */
#ifndef ANNOVET_LABELSTUDIO_H
#define ANNOVET_LABELSTUDIO_H

#include "formats.h"

extern const Format fmt_labelstudio;

/* Reads tasks into d: a task is an item; each annotation's results become
 * annotations by region (results sharing an id are one region: its geometry,
 * labels, transcription and per-region choices); rectanglelabels (rotation about
 * the top-left corner -> rbox), polygonlabels, keypointlabels (one point),
 * brushlabels (Label Studio's RLE), choices (tags), textarea (text regions).
 * Predictions come in under the annotator "prediction:<model_version>". */
int labelstudio_read(const char *path, Dataset *d, Diag *g, Err *e);

/* Writes d as tasks, one annotation per (item, annotator). */
int labelstudio_write(const Dataset *d, const char *path, Diag *g, Err *e);

#endif
