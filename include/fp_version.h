/* The version of footprint: in the HTTP Server field, exported layers'
 * attribution and `footprint --version`. A header of its own so that a
 * stage needing the string does not pull in every other stage's API. */
#ifndef FP_VERSION_H
#define FP_VERSION_H

#define FOOTPRINT_VERSION "0.1.0"

#endif
