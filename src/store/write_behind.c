/*
 * A VFS over SQLite's default one that gathers a store's consecutive page
 * writes into one pwrite of up to 64 KiB.
 *
 * SQLite writes a database file one page (8 KiB) at a time: a 1M-point
 * import's commit is 48,000 pwrite calls, a 10M-point one's spills and
 * commit half a million. On this platform's VMs a system call is dear: 400
 * MB written 8 KiB at a time took 0.19 s of CPU, 64 KiB at a time 0.07 s
 * (bench/tools/pwrite_sizes.c).
 *
 * Only the main database file of a writing connection is buffered;
 * journals and temporary files go straight through, and so does a file in
 * WAL mode once its shared memory is mapped. A write that continues the
 * buffered run (the next offset, as a commit's sorted page list gives)
 * joins it; any other write, and every operation whose result could depend
 * on the file's bytes or make them durable or visible (a read reaching the
 * run, sync, truncate, size, lock changes, file controls but hints, mmap
 * fetch, close), writes the run first. So SQLite's order of writes against
 * syncs, on which its crash safety rests, is unchanged: no buffered byte
 * crosses an xSync. A run that fails to be written is kept and tried again
 * at each of those points, so its error reaches SQLite at the latest at the
 * FCNTL_SYNC and xSync before the journal is deleted (sqlite3PagerSync;
 * synchronous=NORMAL, which the store sets); only unlock and close give it
 * up, with the journal still hot. Reviewed against SQLite's pager.c and
 * os_unix.c; tests/unit/test_write_behind.c.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "store/store_internal.h"

#define WB_VFS_NAME "footprint-write-behind"
/* Bytes gathered for one pwrite. SQLite's unix VFS writes at most 128 KiB
 * - 1 in one call (seekAndWriteFd masks the size with 0x1ffff: a larger
 * write is cut and reported as a full disk); 64 KiB gets most of the gain
 * (bench/tools/pwrite_sizes.c: 400 MB, 0.07 s of CPU against 0.055 s at 1 MiB). */
#define WB_BUFFER (64 << 10)

typedef struct wb_file {
    sqlite3_file base;           /* methods: wb_io */
    sqlite3_file *real;          /* the default VFS's file, allocated after this struct */
    unsigned char *buf;          /* main database only; NULL: straight through */
    sqlite3_int64 off;           /* file offset of buf[0] */
    int len;                     /* bytes in buf */
} wb_file;

/* Set once (wb_register, under pthread_once), then only read. */
static struct write_behind_vfs {
    sqlite3_vfs vfs;             /* this layer, registered as WB_VFS_NAME */
    sqlite3_vfs *real;           /* the default VFS it wraps */
    int registered;
} wb;
static pthread_once_t wb_once = PTHREAD_ONCE_INIT;

/* Writes the buffered run. A run that could not be written stays: SQLite
 * ignores the result of some calls that flush (size hints, a checkpoint's
 * end, reads that fail into a statement rollback), so the error must come
 * back at every later flush, up to the FCNTL_SYNC and xSync before the
 * journal is deleted, which SQLite does check. */
static int wb_flush(wb_file *f)
{
    if (!f->len) return SQLITE_OK;
    int rc = f->real->pMethods->xWrite(f->real, f->buf, f->len, f->off);
    if (rc == SQLITE_OK) f->len = 0;
    return rc;
}

/* Where the run is given up: on close and unlock, after a failed flush.
 * No sync can have succeeded since those writes (each sync flushes first),
 * so the journal that restores the pages they were to replace is still on
 * disk, hot, and the next opener rolls it back. */
static int wb_flush_or_drop(wb_file *f)
{
    int rc = wb_flush(f);
    f->len = 0;
    return rc;
}

static int wb_close(sqlite3_file *file)
{
    wb_file *f = (wb_file *)file;
    int rc = wb_flush_or_drop(f);
    int rc2 = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    sqlite3_free(f->buf);
    f->buf = NULL;
    return rc != SQLITE_OK ? rc : rc2;
}

static int wb_read(sqlite3_file *file, void *out, int amt, sqlite3_int64 ofst)
{
    wb_file *f = (wb_file *)file;
    /* A read that ends before the run starts sees what it would have. */
    if (f->len && ofst + amt > f->off) {
        int rc = wb_flush(f);
        if (rc != SQLITE_OK) return rc;
    }
    return f->real->pMethods->xRead(f->real, out, amt, ofst);
}

static int wb_write(sqlite3_file *file, const void *data, int amt, sqlite3_int64 ofst)
{
    wb_file *f = (wb_file *)file;
    if (!f->buf) return f->real->pMethods->xWrite(f->real, data, amt, ofst);
    if (f->len && (ofst != f->off + f->len || f->len + amt > WB_BUFFER)) {
        int rc = wb_flush(f);
        if (rc != SQLITE_OK) return rc;
    }
    if (amt > WB_BUFFER) return f->real->pMethods->xWrite(f->real, data, amt, ofst);
    if (!f->len) f->off = ofst;
    memcpy(f->buf + f->len, data, (size_t)amt);
    f->len += amt;
    return SQLITE_OK;
}

/* The operations that write the run first, then pass through. */
#define FLUSH_FIRST(f)                          \
    do {                                        \
        int rc_ = wb_flush(f);                  \
        if (rc_ != SQLITE_OK) return rc_;       \
    } while (0)

static int wb_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    wb_file *f = (wb_file *)file;
    FLUSH_FIRST(f);
    return f->real->pMethods->xTruncate(f->real, size);
}

static int wb_sync(sqlite3_file *file, int flags)
{
    wb_file *f = (wb_file *)file;
    FLUSH_FIRST(f);
    return f->real->pMethods->xSync(f->real, flags);
}

static int wb_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    wb_file *f = (wb_file *)file;
    FLUSH_FIRST(f);
    return f->real->pMethods->xFileSize(f->real, size);
}

static int wb_lock(sqlite3_file *file, int level)
{
    wb_file *f = (wb_file *)file;
    FLUSH_FIRST(f);
    return f->real->pMethods->xLock(f->real, level);
}

static int wb_unlock(sqlite3_file *file, int level)
{
    /* Unlocked even when the run cannot be written: SQLite counts the lock
     * as released whatever this returns, and a lock kept would block every
     * other connection to the store. */
    wb_file *f = (wb_file *)file;
    int rc = wb_flush_or_drop(f);
    int rc2 = f->real->pMethods->xUnlock(f->real, level);
    return rc != SQLITE_OK ? rc : rc2;
}

static int wb_check_reserved_lock(sqlite3_file *file, int *out)
{
    wb_file *f = (wb_file *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

/* File controls that neither read the file nor make it durable or
 * visible: hints and queries. A size hint comes before every spill and
 * commit that grows the file; flushing on it cut spills' runs to a page. */
static int wb_control_is_hint(int op)
{
    switch (op) {
    case SQLITE_FCNTL_SIZE_HINT:
    case SQLITE_FCNTL_CHUNK_SIZE:
    case SQLITE_FCNTL_BUSYHANDLER:
    case SQLITE_FCNTL_PRAGMA:
    case SQLITE_FCNTL_VFSNAME:
    case SQLITE_FCNTL_HAS_MOVED:
    case SQLITE_FCNTL_LOCKSTATE:
        return 1;
    default:
        return 0;
    }
}

static int wb_file_control(sqlite3_file *file, int op, void *arg)
{
    wb_file *f = (wb_file *)file;
    if (!wb_control_is_hint(op)) FLUSH_FIRST(f);
    int rc = f->real->pMethods->xFileControl(f->real, op, arg);
    /* The name SQLite reports for the VFS stack names this layer too. */
    if (op == SQLITE_FCNTL_VFSNAME && rc == SQLITE_OK) {
        char *inner = *(char **)arg;
        *(char **)arg = sqlite3_mprintf("%s/%z", WB_VFS_NAME, inner);
    }
    return rc;
}

static int wb_sector_size(sqlite3_file *file)
{
    wb_file *f = (wb_file *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int wb_device_characteristics(sqlite3_file *file)
{
    wb_file *f = (wb_file *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int wb_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **out)
{
    /* WAL mode (a store switched to it by another tool): a checkpoint may
     * copy pages into the file without a sync, and readers then read them
     * from the file. Straight through from here on. */
    wb_file *f = (wb_file *)file;
    if (f->buf) {
        FLUSH_FIRST(f);
        sqlite3_free(f->buf);
        f->buf = NULL;
    }
    return f->real->pMethods->xShmMap(f->real, page, size, extend, out);
}

static int wb_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    wb_file *f = (wb_file *)file;
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void wb_shm_barrier(sqlite3_file *file)
{
    wb_file *f = (wb_file *)file;
    f->real->pMethods->xShmBarrier(f->real);
}

static int wb_shm_unmap(sqlite3_file *file, int delete_flag)
{
    wb_file *f = (wb_file *)file;
    return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int wb_fetch(sqlite3_file *file, sqlite3_int64 ofst, int amt, void **out)
{
    wb_file *f = (wb_file *)file;
    *out = NULL;
    FLUSH_FIRST(f);
    return f->real->pMethods->xFetch(f->real, ofst, amt, out);
}

static int wb_unfetch(sqlite3_file *file, sqlite3_int64 ofst, void *p)
{
    wb_file *f = (wb_file *)file;
    return f->real->pMethods->xUnfetch(f->real, ofst, p);
}

/* One table per version of the real file's methods: SQLite calls only the
 * methods the version it is shown has (shared memory from 2, fetch from 3). */
#define WB_IO(version)                                                                            \
    { version, wb_close, wb_read, wb_write, wb_truncate, wb_sync, wb_file_size, wb_lock, wb_unlock, \
      wb_check_reserved_lock, wb_file_control, wb_sector_size, wb_device_characteristics,           \
      wb_shm_map, wb_shm_lock, wb_shm_barrier, wb_shm_unmap, wb_fetch, wb_unfetch }
static const sqlite3_io_methods wb_io[3] = { WB_IO(1), WB_IO(2), WB_IO(3) };

static int wb_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
    (void)vfs;
    wb_file *f = (wb_file *)file;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(void *)(f + 1);
    memset(f->real, 0, (size_t)wb.real->szOsFile);
    int rc = wb.real->xOpen(wb.real, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        /* SQLite calls xClose only on a file whose pMethods is set. */
        if (f->real->pMethods) f->real->pMethods->xClose(f->real);
        return rc;
    }
    if ((flags & SQLITE_OPEN_MAIN_DB) && !(flags & SQLITE_OPEN_READONLY)) {
        f->buf = sqlite3_malloc(WB_BUFFER);
        if (!f->buf) {
            f->real->pMethods->xClose(f->real);
            return SQLITE_NOMEM;
        }
    }
    int version = f->real->pMethods->iVersion;
    f->base.pMethods = &wb_io[(version < 1 ? 1 : version > 3 ? 3 : version) - 1];
    return SQLITE_OK;
}

/* Everything else is the default VFS's. */
static int wb_delete(sqlite3_vfs *v, const char *name, int sync_dir) { (void)v; return wb.real->xDelete(wb.real, name, sync_dir); }
static int wb_access(sqlite3_vfs *v, const char *name, int flags, int *out) { (void)v; return wb.real->xAccess(wb.real, name, flags, out); }
static int wb_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out) { (void)v; return wb.real->xFullPathname(wb.real, name, n, out); }
static void *wb_dl_open(sqlite3_vfs *v, const char *name) { (void)v; return wb.real->xDlOpen(wb.real, name); }
static void wb_dl_error(sqlite3_vfs *v, int n, char *out) { (void)v; wb.real->xDlError(wb.real, n, out); }
static void (*wb_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void) { (void)v; return wb.real->xDlSym(wb.real, h, sym); }
static void wb_dl_close(sqlite3_vfs *v, void *h) { (void)v; wb.real->xDlClose(wb.real, h); }
static int wb_randomness(sqlite3_vfs *v, int n, char *out) { (void)v; return wb.real->xRandomness(wb.real, n, out); }
static int wb_sleep(sqlite3_vfs *v, int us) { (void)v; return wb.real->xSleep(wb.real, us); }
static int wb_current_time(sqlite3_vfs *v, double *out) { (void)v; return wb.real->xCurrentTime(wb.real, out); }
static int wb_get_last_error(sqlite3_vfs *v, int n, char *out) { (void)v; return wb.real->xGetLastError(wb.real, n, out); }
static int wb_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *out) { (void)v; return wb.real->xCurrentTimeInt64(wb.real, out); }

static void wb_register(void)
{
    wb.real = sqlite3_vfs_find(NULL);
    /* Needs a version 2 VFS (xCurrentTimeInt64), as unix-style VFSes are. */
    if (!wb.real || wb.real->iVersion < 2) return;
    wb.vfs = (sqlite3_vfs){ 2, (int)sizeof(wb_file) + wb.real->szOsFile, wb.real->mxPathname, NULL, WB_VFS_NAME,
                            NULL, wb_open, wb_delete, wb_access, wb_full_pathname, wb_dl_open, wb_dl_error,
                            wb_dl_sym, wb_dl_close, wb_randomness, wb_sleep, wb_current_time, wb_get_last_error,
                            wb_current_time_int64, NULL, NULL, NULL };
    wb.registered = sqlite3_vfs_register(&wb.vfs, 0) == SQLITE_OK;
}

const char *fpi_write_behind_vfs(void)
{
    pthread_once(&wb_once, wb_register);
    return wb.registered ? WB_VFS_NAME : NULL;
}
