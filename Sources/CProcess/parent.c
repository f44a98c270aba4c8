#include "cprocess.h"

#include <signal.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#else
#include <errno.h>
#include <pthread.h>

static pid_t watched_parent;

static void *watch_parent(void *unused) {
  (void)unused;
  while (getppid() == watched_parent) {
    usleep(100000);
  }
  kill(getpid(), SIGKILL);
  return 0;
}
#endif

int cprocess_die_with_parent(pid_t parent) {
#if defined(__linux__)
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    return -1;
  }
#else
  pthread_t thread;
  watched_parent = parent;
  int code = pthread_create(&thread, 0, watch_parent, 0);
  if (code != 0) {
    errno = code;
    return -1;
  }
  pthread_detach(thread);
#endif
  return getppid() == parent ? 0 : 1;
}
