// Default actions that end the program: `sigdefault abort` (SIGABRT, 134),
// `sigdefault alarm` (SIGALRM from an interval timer while the program spins
// in user mode, 142), `sigdefault alarm-read` (the same while it waits for
// ever on an empty pipe), `sigdefault pipe` (SIGPIPE from a write to a pipe
// without a reader, 141), `sigdefault term` (SIGTERM sent to itself after ignored
// and handled signals did not end it, 143). Prints "before" first and
// "after" if it wrongly survives.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile int handled;
static void on_usr1(int sig) { (void)sig; handled++; }

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    printf("before\n");
    fflush(stdout);
    if (!strcmp(what, "abort")) {
        abort();
    } else if (!strcmp(what, "alarm")) {
        struct itimerval it = {{0, 0}, {0, 20000}};
        setitimer(ITIMER_REAL, &it, NULL);
        for (volatile unsigned long i = 0;; i++) {}
    } else if (!strcmp(what, "alarm-read")) {
        int p[2];
        char c;
        if (pipe(p)) return 4;
        struct itimerval it = {{0, 0}, {0, 20000}};
        setitimer(ITIMER_REAL, &it, NULL);
        read(p[0], &c, 1);
    } else if (!strcmp(what, "pipe")) {
        int p[2];
        if (pipe(p)) return 4;
        close(p[0]);
        write(p[1], "x", 1);
    } else if (!strcmp(what, "term")) {
        signal(SIGCHLD, SIG_DFL);   // ignored by default
        signal(SIGWINCH, SIG_DFL);
        signal(SIGUSR2, SIG_IGN);
        signal(SIGUSR1, on_usr1);
        kill(getpid(), SIGCHLD);
        kill(getpid(), SIGWINCH);
        kill(getpid(), SIGUSR2);
        kill(getpid(), SIGUSR1);
        if (handled != 1) return 3;
        printf("survived\n");
        fflush(stdout);
        kill(getpid(), SIGTERM);
    }
    printf("after\n");
    return 2;
}
