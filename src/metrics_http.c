/*
 * metrics_http.c - the metrics endpoint: libmicrohttpd on its own thread
 * (MHD_USE_INTERNAL_POLLING_THREAD) answering
 *
 *   GET /metrics   the Prometheus text format 0.0.4 (metrics.c)
 *   GET /healthz   200 "ok" while the maintenance thread is connected to
 *                  Redis and went round recently, 503 and why otherwise
 *
 * 404 for any other path, 405 for any method but GET and HEAD.  A scrape
 * reads only memory: the Redis-backed gauges are cached by the
 * maintenance thread (metrics_redis.c), so a slow Redis never makes a
 * scrape or a health check hang.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "metrics.h"

#define CONTENT_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define CONTENT_TYPE_TEXT "text/plain; charset=utf-8"
#define MAX_CONNECTIONS 16
#define CONNECTION_TIMEOUT_S 10
#define HEALTH_MIN_STALE_MS 15000

/* MHD's complaints (a failed bind, a broken client) as heft log lines. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    size_t n;

    vsnprintf(line, sizeof line, fmt, ap);
    n = strcspn(line, "\n");
    log_warn("metrics: %.*s", (int)n, line);
}

/* Ownership of text: MUST_FREE hands it to MHD, PERSISTENT lends it. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *text, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text, mode);
    enum MHD_Result rc;

    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result say(struct MHD_Connection *c, unsigned status, const char *text)
{
    return reply(c, status, CONTENT_TYPE_TEXT, (char *)text, strlen(text), MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result serve_metrics(struct MHD_Connection *c, struct heft_daemon *d)
{
    struct heft_buf b = HEFT_BUF_INIT;
    size_t len;
    char *text;

    if (heft_metrics_render(d, &b) < 0 || !(text = heft_buf_detach(&b, &len))) {
        heft_buf_free(&b);
        return say(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    }
    return reply(c, MHD_HTTP_OK, CONTENT_TYPE_METRICS, text, len, MHD_RESPMEM_MUST_FREE);
}

/* Healthy: maint's link to Redis is up and it went round within the
 * larger of 15 s and ten poll intervals (a round may wait on Redis). */
static const char *unhealthy(struct heft_daemon *d)
{
    long long last = atomic_load(&d->maint_alive_ms);
    long long stale = d->cfg->poll_ms * 10;

    if (stale < HEALTH_MIN_STALE_MS)
        stale = HEALTH_MIN_STALE_MS;
    if (!atomic_load(&d->maint_connected))
        return "unhealthy: not connected to Redis\n";
    if (!last || heft_mono_ms() - last > stale)
        return "unhealthy: the maintenance thread is stuck\n";
    return NULL;
}

static enum MHD_Result serve_health(struct MHD_Connection *c, struct heft_daemon *d)
{
    const char *why = unhealthy(d);

    return why ? say(c, MHD_HTTP_SERVICE_UNAVAILABLE, why) : say(c, MHD_HTTP_OK, "ok\n");
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **req)
{
    if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
        return say(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    if (!strcmp(url, "/metrics"))
        return serve_metrics(c, cls);
    if (!strcmp(url, "/healthz"))
        return serve_health(c, cls);
    return say(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics or /healthz\n");
}

/* "127.0.0.1:9464" or "[::1]:9464", for the log. */
static const char *addr_text(const struct heft_listen_addr *a, char *out, size_t len)
{
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)&a->ss;
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->ss;
    char host[INET6_ADDRSTRLEN] = "?";
    int v6 = a->ss.ss_family == AF_INET6;

    inet_ntop(a->ss.ss_family, v6 ? (const void *)&in6->sin6_addr : (const void *)&in4->sin_addr,
              host, sizeof host);
    snprintf(out, len, v6 ? "[%s]:%d" : "%s:%d", host, a->port);
    return out;
}

int heft_metrics_start(struct heft_daemon *d)
{
    char where[INET6_ADDRSTRLEN + 16];
    struct heft_listen_addr addr;
    char why[256];
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

    if (!d->metrics)
        return 0;
    if (heft_listen_parse(d->cfg->metrics_listen, &addr, why, sizeof why) < 0) {
        log_error("metrics: %s", why);
        return -1;
    }
    if (addr.ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* The logger first, or MHD logs about the options before it itself. */
    d->metrics->http = MHD_start_daemon(
        flags, (uint16_t)addr.port, NULL, NULL, answer, d,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr.ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
        MHD_OPTION_END);
    if (!d->metrics->http) {
        log_error("metrics: cannot serve on %s (address in use, or not this host's?)",
                  addr_text(&addr, where, sizeof where));
        return -1;
    }
    log_info("metrics: serving /metrics and /healthz on http://%s",
             addr_text(&addr, where, sizeof where));
    return 0;
}

void heft_metrics_stop(struct heft_daemon *d)
{
    if (!d->metrics || !d->metrics->http)
        return;
    MHD_stop_daemon(d->metrics->http);
    d->metrics->http = NULL;
}
