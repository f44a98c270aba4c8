#ifndef CPROCESS_H
#define CPROCESS_H

#include <sys/types.h>

/// Makes the calling process die with SIGKILL when its parent process exits, however the parent
/// exits (a SIGKILL included). On Linux this is prctl(PR_SET_PDEATHSIG, SIGKILL), delivered by
/// the kernel the moment the parent dies; elsewhere a thread checks getppid() ten times a
/// second. A parent that died before the call is caught by comparing getppid() with `parent`
/// afterwards.
///
/// Returns 0 when the process is bound to `parent`, which is alive; 1 when `parent` is no longer
/// the parent (it exited before the binding took effect); -1 with errno set when the binding
/// failed.
int cprocess_die_with_parent(pid_t parent);

#endif
