// bench_probe_server: a stand-in for faultdesk-fleetsim in the scraping benchmark until it is available.
// Serves the same payload on N consecutive loopback ports with HTTP/1.1 keep-alive, from one epoll loop,
// in its own process so its CPU is never counted as the scraper's.
//   bench_probe_server --targets N --payload FILE [--port-base P]
// prints "READY <N> <first-port>" once every port listens; stops on SIGTERM/SIGINT or when stdin closes.

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <random>
#include <sstream>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_set>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;

struct Conn
{
    std::string in;
    size_t outOffset = 0;
    size_t pendingResponses = 0;
    bool open = false;
};

int listenOn(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 512) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

int main(int argc, char** argv)
{
    int targets = 100;
    int portBase = 0;
    std::string payloadPath = FAULTDESK_SHARED_DIR "/fixtures/node_exporter.prom";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--targets")
            targets = std::atoi(argv[i + 1]);
        else if (key == "--payload")
            payloadPath = argv[i + 1];
        else if (key == "--port-base")
            portBase = std::atoi(argv[i + 1]);
    }
    std::ifstream file(payloadPath, std::ios::binary);
    if (!file || targets <= 0) {
        std::fprintf(stderr, "bench_probe_server: cannot read payload %s or bad --targets\n", payloadPath.c_str());
        return 2;
    }
    std::stringstream content;
    content << file.rdbuf();
    const std::string payload = content.str();
    const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                                 "Content-Length: "
        + std::to_string(payload.size()) + "\r\n\r\n" + payload;

    rlimit limit {};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);

    std::vector<int> listeners;
    std::mt19937 random(static_cast<unsigned>(::getpid()));
    for (int attempt = 0; attempt < 50 && static_cast<int>(listeners.size()) < targets; ++attempt) {
        for (int fd : listeners)
            ::close(fd);
        listeners.clear();
        const int base = portBase > 0 ? portBase : 20000 + static_cast<int>(random() % (40000 - targets));
        for (int i = 0; i < targets; ++i) {
            const int fd = listenOn(base + i);
            if (fd < 0)
                break;
            listeners.push_back(fd);
        }
        if (static_cast<int>(listeners.size()) == targets) {
            portBase = base;
            break;
        }
        if (portBase > 0 && attempt == 0 && static_cast<int>(listeners.size()) < targets) {
            std::fprintf(stderr, "bench_probe_server: ports %d..%d are not all free\n", base, base + targets - 1);
            return 1;
        }
    }
    if (static_cast<int>(listeners.size()) != targets) {
        std::fprintf(stderr, "bench_probe_server: found no free range of %d ports\n", targets);
        return 1;
    }

    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    std::unordered_set<int> listening(listeners.begin(), listeners.end());
    for (int fd : listeners) {
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    std::vector<Conn> conns(static_cast<size_t>(limit.rlim_cur > 65536 ? 65536 : limit.rlim_cur));
    std::signal(SIGTERM, [](int) { g_stop = 1; });
    std::signal(SIGINT, [](int) { g_stop = 1; });
    std::signal(SIGPIPE, SIG_IGN);
    {
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = 0; // stdin: the benchmark closes it (or dies) → we stop
        ::epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
    }
    std::printf("READY %d %d\n", targets, portBase);
    std::fflush(stdout);

    auto closeConn = [&](int fd) {
        ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        conns[fd] = Conn {};
    };
    // Writes queued responses; returns false when the connection is gone.
    auto flush = [&](int fd) {
        Conn& c = conns[fd];
        while (c.pendingResponses > 0) {
            const ssize_t n = ::send(fd, response.data() + c.outOffset, response.size() - c.outOffset, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN)
                    break;
                return false;
            }
            c.outOffset += static_cast<size_t>(n);
            if (c.outOffset == response.size()) {
                c.outOffset = 0;
                --c.pendingResponses;
            }
        }
        epoll_event ev {};
        ev.events = EPOLLIN | (c.pendingResponses > 0 ? EPOLLOUT : 0);
        ev.data.fd = fd;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
        return true;
    };

    std::vector<epoll_event> events(1024);
    char buffer[16384];
    while (!g_stop) {
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 500);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == 0) {
                if (::read(0, buffer, sizeof buffer) <= 0)
                    g_stop = 1;
                continue;
            }
            if (listening.count(fd)) {
                for (;;) {
                    const int client = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (client < 0)
                        break;
                    if (static_cast<size_t>(client) >= conns.size()) {
                        ::close(client);
                        continue;
                    }
                    const int one = 1;
                    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conns[client] = Conn {};
                    conns[client].open = true;
                    epoll_event ev {};
                    ev.events = EPOLLIN;
                    ev.data.fd = client;
                    ::epoll_ctl(ep, EPOLL_CTL_ADD, client, &ev);
                }
                continue;
            }
            Conn& c = conns[fd];
            bool alive = true;
            if (events[i].events & EPOLLIN) {
                const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
                if (got <= 0) {
                    alive = false;
                } else {
                    c.in.append(buffer, static_cast<size_t>(got));
                    size_t end;
                    while ((end = c.in.find("\r\n\r\n")) != std::string::npos) {
                        c.in.erase(0, end + 4);
                        ++c.pendingResponses;
                    }
                    if (c.in.size() > 65536)
                        alive = false;
                }
            }
            if (alive && (c.pendingResponses > 0))
                alive = flush(fd);
            if (!alive || (events[i].events & (EPOLLERR | EPOLLHUP)))
                closeConn(fd);
        }
    }
    return 0;
}
