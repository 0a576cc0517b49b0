/*
 * SQLite's page-cache lines on huge pages.
 *
 * On the VMs footprint is measured on (PVM guests), the first touch of a
 * 4 KiB page costs far more than writing to it: the kernel's fault path and
 * the host's own fault behind it. An import of 1M points fills most of its
 * 512 MiB page cache with 8 KiB lines, each a malloc of its own from
 * glibc's heap (4 KiB pages); the pages SQLite reads go into such lines
 * too. The same import with glibc's heap on transparent huge pages
 * (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which a library cannot set for
 * its process) took 6.00-6.02 s against 6.43-6.50 s (three runs each,
 * interleaved, 5 December 2026; the R*Tree step 0.55 -> 0.39 s).
 *
 * So SQLite gets an allocator (SQLITE_CONFIG_MALLOC) that takes blocks of
 * page-line size (a 4 to 64 KiB page and its headers) from 64 MiB chunks
 * mapped with MADV_HUGEPAGE (but for the first 16 MiB) and keeps freed
 * ones on a free list per size for the next line of that size; every
 * other size goes to SQLite's own allocator (glibc's malloc). Chunks are
 * touched as they are handed out, never returned to the system before the
 * process ends (sqlite3_release_memory does not lower the RSS): the lines
 * of one connection are reused by the next. Each block carries an 8-byte
 * header (its size and where it came from), as SQLite's own allocator
 * does.
 *
 * Why not SQLite's own options: SQLITE_CONFIG_PAGECACHE with a buffer of
 * ours writes a free-list link into every slot when SQLite initialises
 * (the whole buffer touched by every command, 512 MiB for the import's
 * cache), and without one its per-connection bulk allocation is glibc's,
 * on 4 KiB pages, and likewise threaded through at the first fetch; a
 * whole page cache of our own (SQLITE_CONFIG_PCACHE2) would rewrite its
 * hashing and LRU for the sake of where the lines live.
 *
 * It must be installed before SQLite's first use (fp_global_init); if
 * SQLite is already initialised, nothing changes. Not installed under
 * AddressSanitizer or Valgrind: their checks of SQLite's memory are worth
 * more there than the speed.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sqlite3.h>
#include "common/util.h"
#include "store/store_internal.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FP_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FP_UNDER_ASAN 1
#endif
#endif
#ifndef FP_UNDER_ASAN
#define FP_UNDER_ASAN 0
#endif

#define LINE_PAGE_MIN 4096             /* SQLite's page sizes: 4 KiB (our */
#define LINE_PAGE_MAX 65536            /* stores: 8 KiB) to 64 KiB */
#define CHUNK_BYTES ((size_t)64 << 20)
#define MAX_CLASSES 16                 /* distinct line sizes kept */
#define SMALL_BYTES ((size_t)16 << 20)  /* see chunk_new */
#define FROM_ARENA ((uint64_t)1 << 63)
#define HEADER 8
#define MAX_SPARE 8                    /* chunks mapped ahead: 512 MiB, the import's cache */

typedef struct free_block { struct free_block *next; } free_block;

typedef struct size_class {
    uint64_t size;                     /* payload bytes, a multiple of 8 */
    free_block *free;
} size_class;

/* Process-wide, as SQLite's allocator is (sqlite3_config): set once by
 * fp_global_init before SQLite's first use; the arena under its lock. */
struct sqlite_arena {
    sqlite3_mem_methods system;        /* SQLite's own, saved */
    int installed;
    size_class classes[MAX_CLASSES];
    int nclasses;
    char *next, *end;                  /* the current chunk's unused part */
    int chunks;                        /* mapped so far */
    char *spare[MAX_SPARE];            /* mapped ahead by fpi_sqlite_memory_prefault, */
    int nspare, spare_used;            /* handed out in order */
    int prefaulted;                    /* once per process */
};
static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sqlite_arena arena;

static uint64_t round8(uint64_t n) { return (n + 7) & ~(uint64_t)7; }

static uint64_t *header_of(void *p) { return (uint64_t *)((char *)p - HEADER); }

/* Maps a chunk aligned to a huge page, so that all of it can be one. */
static char *chunk_map(void)
{
    char *m = mmap(NULL, CHUNK_BYTES + FPI_HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    char *start = (char *)(((uintptr_t)m + FPI_HUGE_PAGE - 1) & ~(uintptr_t)(FPI_HUGE_PAGE - 1));
    if (start > m) munmap(m, (size_t)(start - m));
    munmap(start + CHUNK_BYTES, (size_t)(m + FPI_HUGE_PAGE - start));
    /* The first SMALL_BYTES of the first chunk stay on 4 KiB pages: a
     * process with a few MB of lines (an export streaming 1M rows, `serve`)
     * would grow its RSS in 2 MiB steps for nothing (the export's growth
     * from 10,000 to 1M features: 7 -> 9 MiB with every line on huge
     * pages, bench/run.sh case F). */
    size_t small = arena.chunks++ == 0 ? SMALL_BYTES : 0;
    if (small) madvise(start, small, MADV_NOHUGEPAGE);            /* so also where THP is "always" */
    madvise(start + small, CHUNK_BYTES - small, MADV_HUGEPAGE);   /* a hint: refused where THP is off */
    return start;
}

/* The next chunk: one mapped ahead if there is one, else a new one. */
static int chunk_new(void)
{
    char *start = arena.spare_used < arena.nspare ? arena.spare[arena.spare_used++] : chunk_map();
    if (!start) return 0;
    arena.next = start;
    arena.end = start + CHUNK_BYTES;
    return 1;
}

/* A block of `size` bytes (a multiple of 8) from the arena, or NULL when
 * its size classes are full or memory is out. */
static void *arena_take(uint64_t size)
{
    void *p = NULL;
    pthread_mutex_lock(&arena_lock);
    size_class *c = NULL;
    for (int i = 0; i < arena.nclasses && !c; i++)
        if (arena.classes[i].size == size) c = &arena.classes[i];
    if (!c && arena.nclasses < MAX_CLASSES) {
        c = &arena.classes[arena.nclasses++];
        c->size = size;
        c->free = NULL;
    }
    if (c && c->free) {
        free_block *b = c->free;
        c->free = b->next;
        p = b;
    } else if (c) {
        size_t need = HEADER + size;
        if ((size_t)(arena.end - arena.next) < need && !chunk_new()) need = 0;
        if (need) {
            p = arena.next + HEADER;
            arena.next += need;
        }
    }
    pthread_mutex_unlock(&arena_lock);
    if (p) *header_of(p) = size | FROM_ARENA;
    return p;
}

static void arena_give(void *p, uint64_t size)
{
    pthread_mutex_lock(&arena_lock);
    for (int i = 0; i < arena.nclasses; i++)
        if (arena.classes[i].size == size) {
            free_block *b = p;
            b->next = arena.classes[i].free;
            arena.classes[i].free = b;
            break;
        }
    pthread_mutex_unlock(&arena_lock);
}

static void *system_take(int n)
{
    uint64_t size = round8((uint64_t)n);
    char *base = arena.system.xMalloc((int)(size + HEADER));
    if (!base) return NULL;
    *(uint64_t *)base = size;
    return base + HEADER;
}

/* Whether n is a page-cache line's size: a page of 4 to 64 KiB and less
 * than 1 KiB of headers (pcache1's and the b-tree's, about 130 bytes).
 * Other sizes of that range (statement buffers, sorter runs, strings)
 * would fill the MAX_CLASSES classes with one-off sizes kept for good: a
 * 150,000-point import used all 16 with 10 such sizes before this test. */
static int is_line_size(int n)
{
    for (int page = LINE_PAGE_MIN; page <= LINE_PAGE_MAX; page *= 2)
        if (n >= page && n < page + 1024) return 1;
    return 0;
}

static void *mem_malloc(int n)
{
    if (is_line_size(n)) {
        void *p = arena_take(round8((uint64_t)n));
        if (p) return p;
    }
    return system_take(n);
}

static void mem_free(void *p)
{
    if (!p) return;
    uint64_t h = *header_of(p);
    if (h & FROM_ARENA) arena_give(p, h & ~FROM_ARENA);
    else arena.system.xFree(header_of(p));
}

static int mem_size(void *p)
{
    return p ? (int)(*header_of(p) & ~FROM_ARENA) : 0;
}

static void *mem_realloc(void *p, int n)
{
    uint64_t h = *header_of(p);
    if (!(h & FROM_ARENA) && !is_line_size(n)) {
        uint64_t size = round8((uint64_t)n);
        char *base = arena.system.xRealloc(header_of(p), (int)(size + HEADER));
        if (!base) return NULL;
        *(uint64_t *)base = size;
        return base + HEADER;
    }
    void *q = mem_malloc(n);
    if (!q) return NULL;
    uint64_t old = h & ~FROM_ARENA;
    memcpy(q, p, old < (uint64_t)n ? old : (uint64_t)n);
    mem_free(p);
    return q;
}

static int mem_roundup(int n) { return (int)round8((uint64_t)n); }

static int mem_init(void *app) { (void)app; return arena.system.xInit(arena.system.pAppData); }

static void mem_shutdown(void *app) { (void)app; arena.system.xShutdown(arena.system.pAppData); }

/* Ranges a prefault thread populates, in the order SQLite will take them. */
typedef struct prefault_job {
    int n;
    char *start[MAX_SPARE + 1];
    size_t len[MAX_SPARE + 1];
} prefault_job;

static void *prefault_main(void *arg)
{
    prefault_job *job = arg;
    /* MADV_POPULATE_WRITE (Linux 5.14) faults the pages in writable without
     * writing to them, so it may run while SQLite already fills the same
     * pages. On an older kernel it fails (EINVAL) and nothing changes. */
#ifdef MADV_POPULATE_WRITE
    for (int i = 0; i < job->n; i++) madvise(job->start[i], job->len[i], MADV_POPULATE_WRITE);
#endif
    free(job);
    return NULL;
}

/* A big import's page cache fills at the rate its one store thread writes
 * rows, and on this platform's VMs that thread spent a fifth of its time in
 * the kernel zeroing the fresh huge pages under the lines (clear_page_erms,
 * 11% of a 1M-point import's perf samples). Mapping the chunks it will
 * need now and faulting them in on a thread of their own moves that work
 * to the other core, which the import leaves half idle. Only the arena's
 * memory is touched; nothing else changes. Once per process. */
void fpi_sqlite_memory_prefault(size_t bytes)
{
    if (!arena.installed || bytes < CHUNK_BYTES) return;
    prefault_job *job = calloc(1, sizeof *job);
    if (!job) return;
    pthread_mutex_lock(&arena_lock);
    if (!arena.prefaulted) {
        arena.prefaulted = 1;
        size_t have = (size_t)(arena.end - arena.next);
        uintptr_t from = ((uintptr_t)arena.next + 4095) & ~(uintptr_t)4095;
        if (have && from < (uintptr_t)arena.end) {
            job->start[job->n] = (char *)from;
            job->len[job->n++] = (size_t)((uintptr_t)arena.end - from);
        }
        while (have < bytes && arena.nspare < MAX_SPARE) {
            char *c = chunk_map();
            if (!c) break;
            arena.spare[arena.nspare++] = c;
            job->start[job->n] = c;
            job->len[job->n++] = CHUNK_BYTES;
            have += CHUNK_BYTES;
        }
    }
    pthread_mutex_unlock(&arena_lock);
    pthread_t t;
    pthread_attr_t attr;
    int started = 0;
    if (job->n && pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        started = pthread_create(&t, &attr, prefault_main, job) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started) free(job);
}

int fpi_sqlite_memory_active(void) { return arena.installed; }

int fpi_sqlite_memory_install(void)
{
    if (arena.installed) return 1;
    if (FP_UNDER_ASAN || RUNNING_ON_VALGRIND) return 0;
    static const sqlite3_mem_methods methods = { mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup,
                                                 mem_init, mem_shutdown, NULL };
    /* Both refused (SQLITE_MISUSE) once SQLite is initialised. */
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &arena.system) != SQLITE_OK) return 0;
    arena.installed = sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK;
    return arena.installed;
}

int fpi_sqlite_memory_expected(void) { return !(FP_UNDER_ASAN || RUNNING_ON_VALGRIND); }

int fpi_sqlite_memory_owns(const void *p) { return p && (*header_of((void *)p) & FROM_ARENA) != 0; }
