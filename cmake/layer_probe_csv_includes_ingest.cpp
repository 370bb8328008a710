// Compiled by the ctest `layer_include_refused` with the csv layer's include
// path, and expected NOT to compile: csv sees its own headers (the first
// include) but not ingest's, which sits above it (the layer table at the top of
// CMakeLists.txt).
#include "csv/dialect.h"
#include "ingest/index_build.h"
