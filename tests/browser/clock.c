/*
 * The browser tests' clock: preloaded into a browser, it moves every answer of
 * clock_gettime, gettimeofday and time forward by the whole seconds written in
 * the file $CORS_TEST_CLOCK_FILE. A page asks the test's page server to write
 * the file, and the browser's preflight cache sees the time pass at once.
 *
 * The file is read again at most every 100 ms of real time, in each process.
 * Only the clock is touched. Waits with a relative timeout (poll, epoll,
 * nanosleep) are unaffected; a wait until an absolute time computed from the
 * moved clock (pthread_cond_timedwait, futex deadlines) lasts the offset
 * longer, unless something wakes it. The browsers tested wake their threads
 * often enough while the clock moves; Firefox does not when started with the
 * clock already a day ahead, so the tests start every browser at offset 0.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static clock_gettime_fn real_clock_gettime;
static long long offset_seconds;
static long long next_read_ns;
/* The file's path, copied once: getenv on other threads could race with a
   browser's own setenv. Empty when unset or too long. */
static char clock_file[4096];
/* 0: not copied yet; 1: being copied; 2: copied. */
static int clock_file_state;

/* Copies the path on the first call that needs it. Other libraries'
   constructors read the clock before this library's constructor runs, while
   the program is still loading and single-threaded, so this must not wait for
   the constructor: a process started with the clock a day ahead would see
   the real time first, then jump. */
static int have_clock_file(void) {
  int state = __atomic_load_n(&clock_file_state, __ATOMIC_ACQUIRE);
  if (state == 2) return 1;
  int expected = 0;
  if (state != 0 || !__atomic_compare_exchange_n(&clock_file_state, &expected, 1, 0,
                                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    return 0; /* another thread is copying it: this read waits for the next */
  }
  const char *path = getenv("CORS_TEST_CLOCK_FILE");
  size_t len = path ? strlen(path) : 0;
  if (len < sizeof clock_file) memcpy(clock_file, path ? path : "", len + 1);
  __atomic_store_n(&clock_file_state, 2, __ATOMIC_RELEASE);
  return 1;
}

/* Looked up once, when the library is loaded: dlsym may allocate, and an
   allocator that reads the clock would come back here. */
__attribute__((constructor)) static void find_real_clock(void) {
  have_clock_file();
  __atomic_store_n(&real_clock_gettime,
                   (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime"),
                   __ATOMIC_RELEASE);
}

static int real_now(clockid_t id, struct timespec *ts) {
  clock_gettime_fn real = __atomic_load_n(&real_clock_gettime, __ATOMIC_ACQUIRE);
  if (real) return real(id, ts);
  return (int)syscall(SYS_clock_gettime, id, ts);
}

static long long offset(void) {
  struct timespec now;
  if (real_now(CLOCK_MONOTONIC, &now) != 0) {
    return __atomic_load_n(&offset_seconds, __ATOMIC_RELAXED);
  }
  long long ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
  if (ns >= __atomic_load_n(&next_read_ns, __ATOMIC_RELAXED) && have_clock_file()) {
    __atomic_store_n(&next_read_ns, ns + 100000000LL, __ATOMIC_RELAXED);
    /* open and read, not fopen: an allocator that reads the clock (Firefox's
       does) must not be entered again from here. */
    int fd = clock_file[0] ? open(clock_file, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0) {
      char text[32];
      ssize_t len = read(fd, text, sizeof text);
      close(fd);
      long long seconds = 0;
      ssize_t i = 0;
      /* At most 18 digits: the sum cannot overflow. */
      while (i < len && i < 18 && text[i] >= '0' && text[i] <= '9') {
        seconds = seconds * 10 + (text[i] - '0');
        i++;
      }
      if (i > 0) __atomic_store_n(&offset_seconds, seconds, __ATOMIC_RELAXED);
    }
  }
  return __atomic_load_n(&offset_seconds, __ATOMIC_RELAXED);
}

int clock_gettime(clockid_t id, struct timespec *ts) {
  int result = real_now(id, ts);
  /* CPU-time clocks (and the negative ids of other processes' and threads'
     CPU clocks) measure work, not time: they stay as they are. */
  if (result == 0 && id >= 0 && id != CLOCK_PROCESS_CPUTIME_ID &&
      id != CLOCK_THREAD_CPUTIME_ID) {
    ts->tv_sec += offset();
  }
  return result;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  /* glibc declares tv non-null, but callers may pass NULL for the time zone
     alone: read it through a volatile so the check is not optimised away. */
  struct timeval *volatile out = tv;
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return -1;
  if (tz) memset(tz, 0, sizeof(struct timezone));
  if (out) {
    out->tv_sec = ts.tv_sec;
    out->tv_usec = ts.tv_nsec / 1000;
  }
  return 0;
}

time_t time(time_t *out) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return (time_t)-1;
  if (out) *out = ts.tv_sec;
  return ts.tv_sec;
}
