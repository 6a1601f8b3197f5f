/* The floor for a one-thread libcurl-multi load loop, to compare Preflight's engine with (bench/engine.sh
 * --floor). The tuned shape from issue 2: curl_multi_poll, one easy handle per connection kept and re-added
 * after each transfer, CURLOPT_NOSIGNAL, no host connection cap. It measures nothing but the request count:
 * no clock reads, no histograms, no status codes.
 *
 *   cc -O2 -o curlfloor curlfloor.c -lcurl
 *   curlfloor URL CONNECTIONS SECONDS      prints "requests seconds"
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t count, void *user)
{
    (void)data;
    (void)user;
    return size * count;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: curlfloor URL CONNECTIONS SECONDS\n");
        return 2;
    }
    const int n = atoi(argv[2]);
    const double seconds = atof(argv[3]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)n + 8);
    CURL **easy = calloc((size_t)n, sizeof *easy);
    for (int i = 0; i < n; ++i) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, argv[1]);
        curl_easy_setopt(easy[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
        curl_multi_add_handle(multi, easy[i]);
    }
    unsigned long long requests = 0;
    const double start = now_s();
    int stopping = 0, running = 1;
    while (running > 0 || !stopping) {
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int pending;
        while ((msg = curl_multi_info_read(multi, &pending))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *e = msg->easy_handle;
            curl_multi_remove_handle(multi, e);
            ++requests;
            if (!stopping) {
                curl_multi_add_handle(multi, e);
                running = 1;
            }
        }
        if (!stopping && now_s() - start >= seconds)
            stopping = 1;
        if (stopping && running == 0)
            break;
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    printf("%llu %.3f\n", requests, now_s() - start);
    return 0;
}
