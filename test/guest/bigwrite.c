// Writes 1 MiB to stdout; the test driver compares the output's SHA-256 with
// that of the same pattern made on the host.
// usage: bigwrite binary|text
//   binary: byte i = (i * 131 + (i >> 10)) & 0xff  (every byte value appears)
//   text:   byte i = '\n' when i % 64 == 63, else 'a' + (i * 7 + i / 64) % 26
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SIZE = 1 << 20 };

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "binary") != 0 && strcmp(argv[1], "text") != 0)) {
        fprintf(stderr, "usage: bigwrite binary|text\n");
        return 2;
    }
    int text = strcmp(argv[1], "text") == 0;
    unsigned char *buf = malloc(SIZE);
    if (!buf) {
        fprintf(stderr, "bigwrite: malloc failed\n");
        return 1;
    }
    for (size_t i = 0; i < SIZE; i++)
        buf[i] = text ? (i % 64 == 63 ? '\n' : 'a' + (i * 7 + i / 64) % 26)
                      : (unsigned char)(i * 131 + (i >> 10));
    // One write for the whole buffer; a short write is legal, so finish the rest.
    size_t done = 0;
    while (done < SIZE) {
        ssize_t n = write(1, buf + done, SIZE - done);
        if (n <= 0) {
            fprintf(stderr, "bigwrite: write returned %zd after %zu bytes\n", n, done);
            return 1;
        }
        done += (size_t)n;
    }
    return 0;
}
