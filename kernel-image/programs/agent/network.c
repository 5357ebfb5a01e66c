/* Container networking, libnetwork's part, spoken in netlink (rtnetlink):
 * a bridge per network (docker0, 172.17.0.0/16, for the default one), a
 * network namespace per container bind-mounted at /run/netns/<id>, and a
 * veth pair from the bridge into it with an address and a default route.
 * Outbound NAT is not done here (no netfilter in this kernel): containers
 * reach each other and the guest; the outside world is reached via -p. */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_HOSTS 4096

struct network {
	char name[128], bridge[IFNAMSIZ];
	uint32_t subnet, gateway; /* host byte order */
	int prefix;
	uint8_t used[MAX_HOSTS / 8]; /* host numbers handed out */
	struct network *next;
};
static struct network *networks;

/* ---- netlink ---- */

struct nlreq {
	struct nlmsghdr n;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rt;
	};
	char attrs[1024];
};

static struct rtattr *add_attr(struct nlmsghdr *n, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static void end_nest(struct nlmsghdr *n, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)n + NLMSG_ALIGN(n->nlmsg_len) - (char *)nest);
}

/* Sends one request on a fresh socket (in the current netns) and waits for its ack. */
static int nl_talk(struct nlmsghdr *n, const char *what)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return fail_errno("socket NETLINK_ROUTE");
	n->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	n->nlmsg_seq = 1;
	if (send(fd, n, n->nlmsg_len, 0) < 0) {
		fail_errno("netlink send (%s)", what);
		close(fd);
		return -1;
	}
	char reply[4096];
	ssize_t r = recv(fd, reply, sizeof reply, 0);
	close(fd);
	if (r < 0)
		return fail_errno("netlink recv (%s)", what);
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	if (h->nlmsg_type == NLMSG_ERROR) {
		int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		if (err) {
			errno = -err;
			return fail_errno("netlink: %s", what);
		}
	}
	return 0;
}

static void req_init(struct nlreq *q, int type, int flags)
{
	memset(q, 0, sizeof *q);
	q->n.nlmsg_type = (unsigned short)type;
	q->n.nlmsg_flags = (unsigned short)flags;
	size_t body = type == RTM_NEWADDR || type == RTM_DELADDR ? sizeof(struct ifaddrmsg) : type == RTM_NEWROUTE ? sizeof(struct rtmsg) : sizeof(struct ifinfomsg);
	q->n.nlmsg_len = NLMSG_LENGTH(body);
}

static int link_add_bridge(const char *name)
{
	struct nlreq q;
	req_init(&q, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	add_attr(&q.n, IFLA_IFNAME, name, strlen(name) + 1);
	struct rtattr *info = add_attr(&q.n, IFLA_LINKINFO, NULL, 0);
	add_attr(&q.n, IFLA_INFO_KIND, "bridge", 6);
	end_nest(&q.n, info);
	char what[64];
	snprintf(what, sizeof what, "add bridge %s", name);
	return nl_talk(&q.n, what);
}

/* A veth pair: host_name stays here, the peer is born as eth0 in the netns. */
static int link_add_veth(const char *host_name, const char *peer_name, int netns_fd)
{
	struct nlreq q;
	req_init(&q, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	add_attr(&q.n, IFLA_IFNAME, host_name, strlen(host_name) + 1);
	struct rtattr *info = add_attr(&q.n, IFLA_LINKINFO, NULL, 0);
	add_attr(&q.n, IFLA_INFO_KIND, "veth", 4);
	struct rtattr *data = add_attr(&q.n, IFLA_INFO_DATA, NULL, 0);
	struct rtattr *peer = add_attr(&q.n, VETH_INFO_PEER, NULL, 0);
	q.n.nlmsg_len += sizeof(struct ifinfomsg); /* the peer's own ifinfomsg, zeroed */
	add_attr(&q.n, IFLA_IFNAME, peer_name, strlen(peer_name) + 1);
	add_attr(&q.n, IFLA_NET_NS_FD, &netns_fd, sizeof netns_fd);
	end_nest(&q.n, peer);
	end_nest(&q.n, data);
	end_nest(&q.n, info);
	char what[64];
	snprintf(what, sizeof what, "add veth %s", host_name);
	return nl_talk(&q.n, what);
}

static int link_up_master(const char *name, const char *master)
{
	struct nlreq q;
	req_init(&q, RTM_NEWLINK, 0);
	q.ifi.ifi_family = AF_UNSPEC;
	q.ifi.ifi_index = (int)if_nametoindex(name);
	if (!q.ifi.ifi_index)
		return fail_errno("if_nametoindex %s", name);
	q.ifi.ifi_flags = IFF_UP;
	q.ifi.ifi_change = IFF_UP;
	if (master) {
		int m = (int)if_nametoindex(master);
		if (!m)
			return fail_errno("if_nametoindex %s", master);
		add_attr(&q.n, IFLA_MASTER, &m, sizeof m);
	}
	char what[64];
	snprintf(what, sizeof what, "set %s up", name);
	return nl_talk(&q.n, what);
}

static int link_del(const char *name)
{
	struct nlreq q;
	req_init(&q, RTM_DELLINK, 0);
	q.ifi.ifi_index = (int)if_nametoindex(name);
	if (!q.ifi.ifi_index)
		return fail_errno("if_nametoindex %s", name);
	char what[64];
	snprintf(what, sizeof what, "delete link %s", name);
	return nl_talk(&q.n, what);
}

static int addr_add(const char *dev, uint32_t ip, int prefix)
{
	struct nlreq q;
	req_init(&q, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	q.ifa.ifa_family = AF_INET;
	q.ifa.ifa_prefixlen = (unsigned char)prefix;
	q.ifa.ifa_index = if_nametoindex(dev);
	if (!q.ifa.ifa_index)
		return fail_errno("if_nametoindex %s", dev);
	uint32_t be = htonl(ip);
	add_attr(&q.n, IFA_LOCAL, &be, 4);
	add_attr(&q.n, IFA_ADDRESS, &be, 4);
	if (prefix < 31) {
		uint32_t bcast = htonl(ip | (0xffffffffu >> prefix));
		add_attr(&q.n, IFA_BROADCAST, &bcast, 4);
	}
	char what[64];
	snprintf(what, sizeof what, "add address to %s", dev);
	return nl_talk(&q.n, what);
}

static int route_default(uint32_t gw)
{
	struct nlreq q;
	req_init(&q, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	q.rt.rtm_family = AF_INET;
	q.rt.rtm_table = RT_TABLE_MAIN;
	q.rt.rtm_protocol = RTPROT_BOOT;
	q.rt.rtm_scope = RT_SCOPE_UNIVERSE;
	q.rt.rtm_type = RTN_UNICAST;
	uint32_t be = htonl(gw);
	add_attr(&q.n, RTA_GATEWAY, &be, 4);
	return nl_talk(&q.n, "add default route");
}

/* ---- networks ---- */

static int parse_cidr(const char *s, uint32_t *ip, int *prefix)
{
	char tmp[64];
	if (!s || strlen(s) >= sizeof tmp)
		return fail("not an IPv4 CIDR: %s", s ? s : "(missing)");
	strcpy(tmp, s);
	char *slash = strchr(tmp, '/');
	*prefix = 32;
	if (slash) {
		*slash = 0;
		*prefix = atoi(slash + 1);
	}
	struct in_addr a;
	/* A bare address (a gateway, as the daemon sends it) is fine; a prefix must be sane. */
	if (inet_pton(AF_INET, tmp, &a) != 1 || (slash && (*prefix < 8 || *prefix > 30)))
		return fail("not an IPv4 CIDR (/8 to /30): %s", s);
	*ip = ntohl(a.s_addr);
	return 0;
}

static struct network *find_network(const char *name)
{
	for (struct network *n = networks; n; n = n->next)
		if (!strcmp(n->name, name) || !strcmp(n->bridge, name))
			return n;
	return NULL;
}

static int network_add(const char *name, const char *bridge, const char *subnet, const char *gateway)
{
	struct network nw = { 0 };
	int gp;
	if (!name || !bridge || strlen(name) >= sizeof nw.name || strlen(bridge) >= IFNAMSIZ)
		return fail("createNetwork: name and bridge (at most %d characters) are required", IFNAMSIZ - 1);
	if (find_network(name))
		return fail("network %s exists", name);
	if (parse_cidr(subnet, &nw.subnet, &nw.prefix) < 0 || parse_cidr(gateway, &nw.gateway, &gp) < 0)
		return -1;
	if (nw.prefix == 32)
		return fail("createNetwork: subnet needs a prefix length: %s", subnet);
	strcpy(nw.name, name);
	strcpy(nw.bridge, bridge);
	nw.subnet &= ~(0xffffffffu >> nw.prefix);
	if (link_add_bridge(bridge) < 0 && errno != EEXIST)
		return -1;
	if ((addr_add(bridge, nw.gateway, nw.prefix) < 0 && errno != EEXIST) || link_up_master(bridge, NULL) < 0) {
		link_del(bridge);
		return -1;
	}
	struct network *n = malloc(sizeof *n);
	if (!n)
		abort();
	*n = nw;
	n->used[0] |= 1; /* host 0 is the network's own address */
	uint32_t g = n->gateway - n->subnet;
	if (g < MAX_HOSTS)
		n->used[g / 8] |= (uint8_t)(1 << (g % 8));
	n->next = networks;
	networks = n;
	return 0;
}

int net_init(void)
{
	/* Between bridges (and out via the proxy) packets are routed by the guest. */
	if (write_file("/proc/sys/net/ipv4/ip_forward", "1\n", 2, 0644) < 0)
		return -1;
	return network_add("bridge", "docker0", "172.17.0.0/16", "172.17.0.1/16");
}

void call_create_network(struct stream *s, yajl_val p)
{
	stream_reply_done(s, network_add(json_get_str(p, "name"), json_get_str(p, "bridge"), json_get_str(p, "subnet"), json_get_str(p, "gateway")));
}

void call_remove_network(struct stream *s, yajl_val p)
{
	const char *name = json_get_str(p, "name");
	for (struct network **pp = &networks; *pp; pp = &(*pp)->next) {
		struct network *n = *pp;
		if (!name || strcmp(n->name, name) != 0)
			continue;
		if (link_del(n->bridge) < 0) {
			stream_reply_error(s, errbuf);
		} else {
			*pp = n->next;
			free(n);
			stream_reply(s, "null");
		}
		stream_end(s);
		return;
	}
	fail("no network %s", name ? name : "(missing)");
	stream_reply_error(s, errbuf);
	stream_end(s);
}

/* ---- a container's side ---- */

static void netns_path(const char *id, char *out, size_t n)
{
	snprintf(out, n, "/run/netns/%s", id);
}

int net_netns_create(const char *id)
{
	char path[256];
	netns_path(id, path, sizeof path);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return fail_errno("open /proc/self/ns/net");
	int r = -1;
	int f = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (f < 0) {
		fail_errno("create %s", path);
		goto out;
	}
	close(f);
	/* iproute2's way: enter a new netns, pin it with a bind mount, come back.
	 * The agent has one thread, so unshare moves all of it. */
	if (unshare(CLONE_NEWNET) < 0) {
		fail_errno("unshare CLONE_NEWNET");
		unlink(path);
		goto out;
	}
	if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0) {
		fail_errno("bind mount netns at %s", path);
		unlink(path);
	} else if (link_up_master("lo", NULL) == 0)
		r = 0;
	if (setns(self, CLONE_NEWNET) < 0) {
		logmsg("setns back to the guest's netns: %s", strerror(errno));
		abort(); /* stuck in a container's netns: nothing else would work */
	}
out:
	close(self);
	return r;
}

/* Docker's rule (libnetwork's genMAC): 02:42 and the four bytes of the IP.
 * An address given again gets the same MAC, so neighbours' ARP caches stay
 * right; a random one would leave them pointing at a veth that is gone,
 * and a lone UDP datagram to the new container would be lost. */
static int set_mac_for_ip(const char *dev, uint32_t ip, char *mac_out)
{
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", dev);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	unsigned char mac[6] = { 0x02, 0x42, ip >> 24, ip >> 16, ip >> 8, ip };
	memcpy(ifr.ifr_hwaddr.sa_data, mac, sizeof mac);
	sprintf(mac_out, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0)
		return fail_errno("socket for SIOCSIFHWADDR %s", dev);
	int r = ioctl(sk, SIOCSIFHWADDR, &ifr);
	close(sk);
	return r < 0 ? fail_errno("set the MAC address of %s", dev) : 0;
}

/* The host end of a container's veth: its first network's vethID, the
 * ones docker network connect adds ve<slot>ID (15 characters at most). */
static void veth_name(const char *id, int slot, char *out)
{
	if (slot == 0)
		snprintf(out, IFNAMSIZ, "veth%.11s", id);
	else
		snprintf(out, IFNAMSIZ, "ve%d%.11s", slot, id);
}

int net_attach(const char *id, int slot, const char *network, const char *want_ip, char *ip_out, char *gw_out, char *mac_out)
{
	struct network *nw = find_network(network && *network ? network : "bridge");
	if (!nw)
		return fail("no network %s", network);
	uint32_t ip = 0;
	if (want_ip && *want_ip) {
		struct in_addr a;
		if (inet_pton(AF_INET, want_ip, &a) != 1)
			return fail("not an IPv4 address: %s", want_ip);
		ip = ntohl(a.s_addr);
		uint32_t h = ip - nw->subnet;
		if ((ip & ~(0xffffffffu >> nw->prefix)) != nw->subnet || h >= MAX_HOSTS || (nw->used[h / 8] & (1 << (h % 8))))
			return fail("address %s is not free in %s", want_ip, nw->name);
	} else {
		uint32_t size = nw->prefix >= 20 ? (1u << (32 - nw->prefix)) - 1 : MAX_HOSTS;
		for (uint32_t h = 1; h < size; h++)
			if (!(nw->used[h / 8] & (1 << (h % 8)))) {
				ip = nw->subnet + h;
				break;
			}
		if (!ip)
			return fail("network %s has no free address", nw->name);
	}
	char path[256], host[IFNAMSIZ];
	char dev[IFNAMSIZ];
	snprintf(dev, sizeof dev, "eth%d", slot);
	netns_path(id, path, sizeof path);
	veth_name(id, slot, host);
	int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return fail_errno("open %s", path);
	if (link_add_veth(host, dev, nsfd) < 0 || link_up_master(host, nw->bridge) < 0) {
		close(nsfd);
		link_del(host);
		return -1;
	}
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
		fail_errno("setns %s", path);
		close(nsfd);
		if (self >= 0)
			close(self);
		link_del(host);
		return -1;
	}
	int r = set_mac_for_ip(dev, ip, mac_out);
	if (r == 0)
		r = addr_add(dev, ip, nw->prefix);
	if (r == 0)
		r = link_up_master(dev, NULL);
	/* The default route is the first network's, as Docker gives it. */
	if (r == 0 && slot == 0)
		r = route_default(nw->gateway);
	if (setns(self, CLONE_NEWNET) < 0) {
		logmsg("setns back to the guest's netns: %s", strerror(errno));
		abort();
	}
	close(self);
	close(nsfd);
	if (r < 0) {
		link_del(host);
		return -1;
	}
	uint32_t h = ip - nw->subnet;
	nw->used[h / 8] |= (uint8_t)(1 << (h % 8));
	struct in_addr a = { htonl(ip) }, g = { htonl(nw->gateway) };
	inet_ntop(AF_INET, &a, ip_out, INET_ADDRSTRLEN);
	inet_ntop(AF_INET, &g, gw_out, INET_ADDRSTRLEN);
	return 0;
}

/* Frees the address and removes the veth (both ends go together). */
void net_unplug(const char *id, int slot, const char *network, const char *ip)
{
	char host[IFNAMSIZ];
	veth_name(id, slot, host);
	if (if_nametoindex(host))
		link_del(host);
	struct network *nw = network ? find_network(*network ? network : "bridge") : NULL;
	struct in_addr a;
	if (nw && ip && inet_pton(AF_INET, ip, &a) == 1) {
		uint32_t h = ntohl(a.s_addr) - nw->subnet;
		if (h < MAX_HOSTS)
			nw->used[h / 8] &= (uint8_t)~(1 << (h % 8));
	}
}

/* The first network's veth and address, and the netns. */
void net_detach(const char *id, const char *network, const char *ip)
{
	net_unplug(id, 0, network, ip);
	char path[256];
	netns_path(id, path, sizeof path);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		logmsg("umount %s: %s", path, strerror(errno));
	unlink(path);
}
