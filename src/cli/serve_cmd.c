/*
 * `footprint serve`: the command line of the preview server (src/serve).
 * main.c dispatches here with its SIGINT/SIGTERM handler installed; the
 * server returns when that handler cancels the context.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "footprint.h"

const char *const usage_serve =
    "usage: footprint serve [--port N] [--host ADDR] [--allow-host NAMES] [--quiet] [DIR|FILE.mbtiles|FILE.pmtiles]\n"
    "\n"
    "Serves a folder (default: the current one) over HTTP for the preview page,\n"
    "tiles and GeoJSON layers that `footprint tiles` and `footprint export` write.\n"
    "FILE.mbtiles: its tiles at /tiles/{z}/{x}/{y}.png|webp|jpg|pbf and its preview\n"
    "folder FILE.preview (written by `footprint tiles`) at /. In a folder, NAME/{z}/{x}/{y}.EXT is\n"
    "answered from NAME.mbtiles when no such file exists. FILE.pmtiles: the archive\n"
    "at /FILE.pmtiles, its preview folder at /. Byte ranges (206, 416) on every\n"
    "file; several ranges in one request get the whole file. GET and HEAD only; a\n"
    "folder path serves its index.html (no listings); nothing outside the folder\n"
    "is reachable (no '..', no symlinks leading out, no hidden files).\n"
    "--host defaults to 127.0.0.1 (this machine only; 0.0.0.0 opens it to the\n"
    "network), --port to 8080 (0: any free port). On a 127.x.y.z address a request\n"
    "must name localhost, 127.0.0.1, [::1] or the listener's own address as its\n"
    "Host, or a name --allow-host lists\n"
    "(comma-separated: a reverse proxy's public name). Prints the URL on stdout, one\n"
    "access-log line per request on stderr unless --quiet. Ctrl-C stops it.\n";

static const char *served;
extern fp_context *cli_context;   /* main.c */

/* Access-log lines and serving errors on stderr. */
static void on_log(const char *line, void *user)
{
    (void)user;
    fprintf(stderr, "%s\n", line);
}

static void on_ready(const char *url, void *user)
{
    (void)user;
    printf("serving %s on %s (Ctrl-C to stop)\n", served, url);
    fflush(stdout);
}

int cmd_serve(const char *db, int argc, char **argv)
{
    (void)db; /* the server reads files, not the store */
    static struct option longopts[] = { { "port", required_argument, 0, 'p' }, { "host", required_argument, 0, 'H' },
                                        { "quiet", no_argument, 0, 'q' },      { "help", no_argument, 0, 'h' },
                                        { "allow-host", required_argument, 0, 'A' }, { 0 } };
    fp_serve_options o = { .host = "127.0.0.1", .port = 8080, .ready = on_ready, .log = on_log, .ctx = cli_context };
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "p:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': {
            long port = strtol(optarg, &end, 10);
            if (end == optarg || *end || port < 0 || port > 65535) {
                fprintf(stderr, "footprint: serve: --port '%s': expected 0 to 65535\n\n%s", optarg, usage_serve);
                return 2;
            }
            o.port = (int)port;
            break;
        }
        case 'H':
            if (!optarg[0]) {
                fprintf(stderr, "footprint: serve: --host wants an address\n\n%s", usage_serve);
                return 2;
            }
            o.host = optarg;
            break;
        case 'A': o.allow_hosts = optarg; break;
        case 'q': o.quiet = 1; break;
        case 'h': fputs(usage_serve, stdout); return 0;
        default: fprintf(stderr, "footprint: serve: bad option\n\n%s", usage_serve); return 2;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "footprint: serve: one folder or MBTiles file at a time\n\n%s", usage_serve);
        return 2;
    }
    o.root = optind < argc ? argv[optind] : ".";
    served = o.root;
    fp_error err = { 0 };
    if (fp_serve(&o, &err) != FP_OK) {
        fprintf(stderr, "footprint: %s\n", err.message);
        return err.code == FP_ERR_USAGE ? 2 : 1;
    }
    return 0;
}
