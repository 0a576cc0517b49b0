/*
 * fresh_memory: how long this machine takes to fault in memory a process
 * has not touched before, with 4 KiB pages and with transparent huge pages.
 *
 *   cc -O2 -o /tmp/fresh_memory bench/tools/fresh_memory.c
 *   /tmp/fresh_memory 2000 0; sleep 4; /tmp/fresh_memory 700 huge
 *   /tmp/fresh_memory 2000 0; sleep 4; /tmp/fresh_memory 700 small
 *
 * The first call of each line stands for the process before (a PostgreSQL
 * load, an import): it touches and frees 2000 MB. On this VM the kernel then
 * reports the freed memory to the host (page_reporting_order=11 on its
 * command line), and touching it again costs the host's page faults, which
 * show up as the guest's clear_page time in `perf` (bench/README.md, "Fresh
 * memory"). Each MODE maps MB megabytes three times in a row and prints the
 * time of the first touch and of a second write over it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fresh_memory MB huge|small|0\n");
        return 2;
    }
    size_t n = (size_t)atol(argv[1]) << 20;
    const char *mode = argv[2];
    for (int round = 0; round < (strcmp(mode, "0") ? 3 : 1); round++) {
        char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) { perror("mmap"); return 1; }
        if (!strcmp(mode, "huge")) madvise(p, n, MADV_HUGEPAGE);
        if (!strcmp(mode, "small")) madvise(p, n, MADV_NOHUGEPAGE);
        double t0 = now();
        for (size_t i = 0; i < n; i += 4096) p[i] = 1;
        double t1 = now();
        memset(p, 2, n);
        double t2 = now();
        if (strcmp(mode, "0"))
            printf("%zu MB %s pages, round %d: first touch %.3f s, written again %.3f s\n", n >> 20, mode, round + 1,
                   t1 - t0, t2 - t1);
        munmap(p, n);
    }
    return 0;
}
