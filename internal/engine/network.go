package engine

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/network/firewall"
	"github.com/wardproject/ward/internal/network/link"
	"github.com/wardproject/ward/internal/network/netpolicy"
	"github.com/wardproject/ward/internal/network/store"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/runspec"
)

// NetworkRequest is what `ward run`'s network flags ask for besides
// --network itself (Run.Network).
type NetworkRequest struct {
	Publish    []string // -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]
	PublishAll bool     // -P: every port the image exposes, on ephemeral host ports
	Egress     []string // --egress allow=...|deny-all
	Ingress    []string // --ingress allow=...
	// ProfileEgress is a learned profile's egress (learnprofile.Profile.Egress),
	// applied on a bridge or user network when Egress is empty.
	ProfileEgress string
}

// netPlan is the network flags checked, before anything is made.
type netPlan struct {
	mode    string // "none", "host", "container" or "bridge"
	network string // the store's network, for mode bridge
	peer    string // the container whose namespace is joined, for mode container
	ports   []store.Port
	egress  []string
	ingress []string
}

// NetnsPath is where a container's network namespace is bound.
func (e *Engine) NetnsPath(id string) string { return filepath.Join(e.Layout().Netns(), id) }

func (e *Engine) networkStore() (*store.Store, error) {
	return store.Open(e.Layout().Network())
}

// OpenNetworkStore opens the network store under ward's root.
func OpenNetworkStore(root string) (*store.Store, error) {
	return store.Open(rootdir.Layout(root).Network())
}

// planNetwork checks the network flags against each other and the image.
func planNetwork(mode string, req NetworkRequest, img v1.Config, warn func(string)) (netPlan, error) {
	p := netPlan{mode: "bridge", egress: req.Egress, ingress: req.Ingress}
	switch {
	case mode == "" || mode == "none":
		p.mode = "none"
	case mode == "host":
		p.mode = "host"
	case strings.HasPrefix(mode, "container:"):
		p.mode, p.peer = "container", strings.TrimPrefix(mode, "container:")
		if p.peer == "" {
			return p, fmt.Errorf("--network container: needs a container name or ID")
		}
	case mode == "bridge" || mode == "default":
		p.network = store.DefaultNetwork
	default:
		p.network = mode
	}
	if p.mode == "bridge" && len(req.Egress) == 0 && req.ProfileEgress != "" {
		// A learned profile's egress (ward run --profile) stands for an
		// --egress flag on a bridge or user network; the command line's
		// own --egress replaces it, as it replaces the network's. On host,
		// none or container: networks there is no policy of ours to set.
		req.Egress = []string{req.ProfileEgress}
		p.egress = req.Egress
	}
	var err error
	for _, s := range req.Publish {
		ports, err := ParsePublish(s)
		if err != nil {
			return p, err
		}
		p.ports = append(p.ports, ports...)
	}
	if req.PublishAll {
		exposed := make([]string, 0, len(img.ExposedPorts))
		for k := range img.ExposedPorts {
			exposed = append(exposed, k)
		}
		slices.Sort(exposed)
		for _, k := range exposed {
			ports, err := ParsePublish(k)
			if err != nil {
				return p, fmt.Errorf("image's EXPOSE %s: %w", k, err)
			}
			p.ports = append(p.ports, ports...)
		}
	}
	egress, err := parseEgress(req.Egress)
	if err != nil {
		return p, fmt.Errorf("--egress: %w", err)
	}
	ingress, err := parseIngress(req.Ingress)
	if err != nil {
		return p, fmt.Errorf("--ingress: %w", err)
	}
	hasPolicy := len(req.Egress)+len(req.Ingress) > 0
	switch p.mode {
	case "host":
		if hasPolicy {
			return p, fmt.Errorf("--egress/--ingress cannot be enforced with --network host: the container shares the host's network")
		}
	case "container":
		if hasPolicy {
			return p, fmt.Errorf("--egress/--ingress with --network container:%s: the policy is the other container's", p.peer)
		}
	case "none":
		if len(egress.Rules)+len(ingress.Rules) > 0 || egress.DNS {
			return p, fmt.Errorf("--egress/--ingress allow with --network none: the container has no network, there is nothing to allow")
		}
	}
	if len(p.ports) > 0 && p.mode != "bridge" {
		if warn != nil {
			warn(fmt.Sprintf("published ports are discarded with --network %s", mode))
		}
		p.ports = nil
	}
	return p, nil
}

// ParsePublish reads one -p value (or an EXPOSE entry):
// [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]; a missing host port is
// chosen from the ephemeral range.
func ParsePublish(s string) ([]store.Port, error) {
	bad := func(why string) ([]store.Port, error) {
		return nil, fmt.Errorf("-p %s: %s (want [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp])", s, why)
	}
	rest, proto, _ := strings.Cut(s, "/")
	proto = strings.ToLower(proto)
	switch proto {
	case "":
		proto = "tcp"
	case "tcp", "udp":
	default:
		return bad("protocol " + proto + " is not tcp or udp")
	}
	parts := strings.Split(rest, ":")
	var ip, host, cport string
	switch len(parts) {
	case 1:
		cport = parts[0]
	case 2:
		host, cport = parts[0], parts[1]
	case 3:
		ip, host, cport = parts[0], parts[1], parts[2]
	default:
		return bad("too many colons (IPv6 host addresses are not supported)")
	}
	port := store.Port{Proto: proto}
	if ip != "" {
		a, err := netip.ParseAddr(ip)
		if err != nil || !a.Is4() {
			return bad("host address " + ip + " is not an IPv4 address")
		}
		if !a.IsUnspecified() {
			port.HostIP = a
		}
	}
	n, err := strconv.ParseUint(cport, 10, 16)
	if err != nil || n == 0 {
		return bad("container port " + cport + " is not a port number")
	}
	port.ContainerPort = uint16(n)
	if host != "" {
		n, err := strconv.ParseUint(host, 10, 16)
		if err != nil || n == 0 {
			return bad("host port " + host + " is not a port number")
		}
		port.HostPort = uint16(n)
	}
	return []store.Port{port}, nil
}

// setUpNetwork gives a created container its network: nothing for none
// and host, the other container's namespace for container:NAME, and for
// a bridge network a namespace of its own bound under ROOT/netns, an
// address, a veth into the bridge and the firewall's rules, all in one
// store transaction so that concurrent runs never share an address. It
// writes the container's hosts and resolv.conf, sets o.NetnsPath and
// fills c.NetworkSettings.
func (e *Engine) setUpNetwork(c *record.Container, o *runspec.Options, p netPlan) error {
	switch p.mode {
	case "none", "host":
		c.NetworkSettings = &record.NetworkSettings{Networks: map[string]*record.EndpointSettings{p.mode: {}}}
		if p.mode == "none" {
			c.NetworkSettings.Policy = &record.EffectivePolicy{Egress: "deny-all", Ingress: "deny-all"}
		}
		return nil
	case "container":
		return e.joinContainerNetwork(c, o, p.peer)
	}
	st, err := e.networkStore()
	if err != nil {
		return err
	}
	id := c.ID
	nsPath := e.NetnsPath(id)
	// Docker's resolv.conf for a bridge: the host's minus loopback resolvers.
	if _, err := runspec.WriteNetworkFiles(e.Records.Dir(id), firstNonEmpty(o.Hostname, id[:12]), "bridge"); err != nil {
		return fmt.Errorf("container %s: %w", id, err)
	}
	dns := resolvers(o.NetworkFiles.ResolvConf)
	var made []func()
	var hosts map[string][]byte
	var settings *record.NetworkSettings
	undo := func() {
		for i := len(made) - 1; i >= 0; i-- {
			made[i]()
		}
	}
	err = st.Update(func(tx *store.Tx) error {
		n, err := e.lookupNetwork(tx, p.network)
		if err != nil {
			return err
		}
		sb := store.Sandbox{
			ContainerID: id, Name: c.ShortName(), Hostname: firstNonEmpty(o.Hostname, id[:12]),
			NetnsPath: nsPath, HostsFile: o.NetworkFiles.Hosts, Ports: p.ports,
			Egress: p.egress, Ingress: p.ingress, DNS: dns,
		}
		if sb, err = tx.PutSandbox(sb, hostPortFree); err != nil {
			return err
		}
		if err := checkPeers(tx, sb.Ingress); err != nil {
			return err
		}
		peers, err := tx.NetworkEndpoints(n.Name)
		if err != nil {
			return err
		}
		ep, err := tx.Allocate(n.Name, id, link.HostVethName(id), netip.Addr{})
		if err != nil {
			return err
		}
		if n.Name == store.DefaultNetwork && len(peers) == 0 {
			made = append(made, func() { link.DeleteBridge(n.Bridge) }) // made for this container only
		}
		if err := os.MkdirAll(filepath.Dir(nsPath), 0o700); err != nil {
			return fmt.Errorf("container %s: %w", id, err)
		}
		if err := e.createNetns(id, nsPath, o); err != nil { // userns.go
			return fmt.Errorf("container %s: network namespace: %w", id, err)
		}
		made = append(made, func() { netns.Remove(nsPath) })
		if err := attach(n, ep, nsPath, true); err != nil {
			return fmt.Errorf("container %s: network %s: %w", id, n.Name, err)
		}
		made = append(made, func() { link.Detach(ep.HostVeth) })
		if err := applyFirewall(tx); err != nil {
			return err
		}
		// Computed in the same transaction: one opening of the store.
		if hosts, err = hostsFiles(tx, id, []string{n.Name}); err != nil {
			return err
		}
		settings, err = networkSettings(tx, id)
		return err
	})
	if err != nil {
		undo()
		return err
	}
	o.NetnsPath = nsPath
	c.NetworkSettings, c.HostConfig.PortBindings = settings, settings.Ports
	return writeHostsFiles(hosts)
}

// lookupNetwork returns a network of the store, making the default one
// on first use.
func (e *Engine) lookupNetwork(tx *store.Tx, name string) (store.Network, error) {
	if name == store.DefaultNetwork {
		return tx.EnsureDefault(HostRoutes())
	}
	n, err := tx.Network(name)
	if errors.Is(err, store.ErrNotFound) {
		return n, fmt.Errorf("network %s not found", name)
	}
	return n, err
}

// attach makes sure the network's bridge exists and plugs the endpoint's
// veth into it; the default route goes through the gateway when route
// is set (the container's first network that is not internal).
func attach(n store.Network, ep store.Endpoint, nsPath string, route bool) error {
	if err := link.EnsureBridge(link.Bridge{Name: n.Bridge, Gateway: netip.PrefixFrom(n.Gateway, n.Subnet.Bits())}); err != nil {
		return err
	}
	mac, _ := parseMAC(ep.MAC)
	a := link.Attachment{
		NetnsPath: nsPath, Bridge: n.Bridge, HostVeth: ep.HostVeth, IfName: ep.IfName,
		Address: netip.PrefixFrom(ep.Addr, n.Subnet.Bits()), MAC: mac,
	}
	if route && !n.Internal {
		a.Gateway = n.Gateway
	}
	return link.Attach(a)
}

// routedEndpoint tells whether one of eps has the container's default
// route already.
func routedEndpoint(tx *store.Tx, eps []store.Endpoint) bool {
	for _, ep := range eps {
		if n, err := tx.Network(ep.Network); err == nil && !n.Internal {
			return true
		}
	}
	return false
}

// checkPeers makes sure every --ingress allow=NAME names a network or a
// container with a network.
func checkPeers(tx *store.Tx, flags []string) error {
	pol, err := parseIngress(flags)
	if err != nil {
		return fmt.Errorf("--ingress: %w", err)
	}
	for _, r := range pol.Rules {
		if r.Peer == "" {
			continue
		}
		if _, err := peerPrefixes(tx, r.Peer); err != nil {
			return err
		}
	}
	return nil
}

// peerPrefixes resolves an ingress peer: a network is its subnet, a
// container the addresses of its endpoints.
func peerPrefixes(tx *store.Tx, peer string) ([]netip.Prefix, error) {
	if n, err := tx.Network(peer); err == nil {
		return []netip.Prefix{n.Subnet}, nil
	}
	sbs, err := tx.Sandboxes()
	if err != nil {
		return nil, err
	}
	for _, sb := range sbs {
		if sb.Name != peer && sb.ContainerID != peer {
			continue
		}
		eps, err := tx.ContainerEndpoints(sb.ContainerID)
		if err != nil {
			return nil, err
		}
		var out []netip.Prefix
		for _, ep := range eps {
			out = append(out, netip.PrefixFrom(ep.Addr, 32))
		}
		return out, nil
	}
	return nil, fmt.Errorf("--ingress allow=%s: no network or container on a network has that name", peer)
}

// effectivePolicies are a sandbox's egress and ingress policy on one
// network: its own flags, else the network's defaults, with peers
// resolved into addresses (a peer that went away allows nothing).
func effectivePolicies(tx *store.Tx, n store.Network, sb store.Sandbox) (netpolicy.Policy, netpolicy.Policy, error) {
	egressFlags, ingressFlags := n.Egress, n.Ingress
	if len(sb.Egress) > 0 {
		egressFlags = sb.Egress
	}
	if len(sb.Ingress) > 0 {
		ingressFlags = sb.Ingress
	}
	egress, err := parseEgress(egressFlags)
	if err != nil {
		return egress, egress, fmt.Errorf("container %s: egress policy: %w", sb.ContainerID, err)
	}
	ingress, err := parseIngress(ingressFlags)
	if err != nil {
		return egress, ingress, fmt.Errorf("container %s: ingress policy: %w", sb.ContainerID, err)
	}
	var rules []netpolicy.Rule
	for _, r := range ingress.Rules {
		if r.Peer == "" || tx == nil { // no store: a preview keeps the names
			rules = append(rules, r)
			continue
		}
		prefixes, _ := peerPrefixes(tx, r.Peer)
		for _, pr := range prefixes {
			rr := r
			rr.Prefix = pr
			rules = append(rules, rr)
		}
	}
	ingress.Rules = rules
	return egress, ingress, nil
}

// firewallState is the whole desired state of ward's tables: every user
// network, the default one while it has containers, and every endpoint
// with its effective policy; published ports go to a container's first
// interface.
func firewallState(tx *store.Tx) (firewall.State, error) {
	var s firewall.State
	nets, err := tx.Networks()
	if err != nil {
		return s, err
	}
	sbs, err := tx.Sandboxes()
	if err != nil {
		return s, err
	}
	sandboxes := map[string]store.Sandbox{}
	for _, sb := range sbs {
		sandboxes[sb.ContainerID] = sb
	}
	for _, n := range nets {
		eps, err := tx.NetworkEndpoints(n.Name)
		if err != nil {
			return s, err
		}
		if n.Name == store.DefaultNetwork && len(eps) == 0 {
			continue // its bridge goes with its last container
		}
		netEgress, err := parseEgress(n.Egress)
		if err != nil {
			return s, fmt.Errorf("network %s: %w", n.Name, err)
		}
		netIngress, err := parseIngress(n.Ingress)
		if err != nil {
			return s, fmt.Errorf("network %s: %w", n.Name, err)
		}
		s.Networks = append(s.Networks, firewall.Network{
			Name: n.Name, Bridge: n.Bridge, Subnet: n.Subnet, Gateway: n.Gateway, Internal: n.Internal,
			Egress: netEgress, Ingress: netIngress,
		})
		for _, ep := range eps {
			sb := sandboxes[ep.ContainerID]
			egress, ingress, err := effectivePolicies(tx, n, sb)
			if err != nil {
				return s, err
			}
			fe := firewall.Endpoint{
				ContainerID: ep.ContainerID, Network: n.Name, HostVeth: ep.HostVeth, Addr: ep.Addr,
				Egress: egress, Ingress: ingress, DNS: sb.DNS,
			}
			fe.MAC, _ = parseMAC(ep.MAC)
			if ep.IfName == "eth0" {
				for _, p := range sb.Ports {
					fe.Ports = append(fe.Ports, firewall.Port{HostIP: p.HostIP, HostPort: p.HostPort, ContainerPort: p.ContainerPort, Proto: p.Proto})
				}
			}
			s.Endpoints = append(s.Endpoints, fe)
		}
	}
	return s, nil
}

func applyFirewall(tx *store.Tx) error {
	s, err := firewallState(tx)
	if err != nil {
		return err
	}
	if err := firewall.Apply(s); err != nil {
		return fmt.Errorf("firewall: %w", err)
	}
	return nil
}

// releaseNetwork undoes setUpNetwork for a container being removed: its
// rules, veths, namespace, addresses and ports, and the default bridge
// when it was its last container. A container without a sandbox (none,
// host, container:) has nothing to release.
func (e *Engine) releaseNetwork(id string) error {
	if _, err := os.Stat(e.Layout().NetworkDB()); os.IsNotExist(err) {
		return nil // no network was ever made under this root
	}
	st, err := e.networkStore()
	if err != nil {
		return err
	}
	// Most containers never had a sandbox (--network none or host, or
	// a root whose default is none): a read transaction says so under
	// a shared lock, where a write transaction took the exclusive lock
	// and committed (an fdatasync) even with nothing to change.
	var has bool
	if err := st.View(func(tx *store.Tx) error {
		_, err := tx.Sandbox(id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		has = true // or unreadable: the update below says why
		return nil
	}); err == nil && !has {
		return nil
	}
	var hosts map[string][]byte
	err = st.Update(func(tx *store.Tx) error {
		sb, err := tx.Sandbox(id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		eps, err := tx.DeleteSandbox(id)
		if err != nil {
			return err
		}
		if err := applyFirewall(tx); err != nil {
			return err
		}
		var errs []error
		for _, ep := range eps {
			errs = append(errs, link.Detach(ep.HostVeth))
		}
		errs = append(errs, netns.Remove(sb.NetnsPath))
		if left, err := tx.NetworkEndpoints(store.DefaultNetwork); err == nil && len(left) == 0 {
			if n, err := tx.Network(store.DefaultNetwork); err == nil {
				errs = append(errs, link.DeleteBridge(n.Bridge))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("container %s: release network: %w", id, err)
		}
		var touched []string
		for _, ep := range eps {
			touched = append(touched, ep.Network)
		}
		hosts, err = hostsFiles(tx, "", touched)
		return err
	})
	if err != nil {
		return err
	}
	return writeHostsFiles(hosts)
}

// ensureNetwork re-creates a container's namespace and veths when they
// are gone (the machine rebooted) before the container starts again; the
// addresses and rules are the store's, so they come back unchanged.
func (e *Engine) ensureNetwork(c *record.Container) error {
	if c.NetworkSettings == nil || c.NetworkSettings.SandboxKey == "" {
		return nil
	}
	if _, err := os.Stat(e.Layout().NetworkDB()); os.IsNotExist(err) {
		return nil
	}
	if netns.Do(c.NetworkSettings.SandboxKey, func() error { return nil }) == nil {
		return nil
	}
	st, err := e.networkStore()
	if err != nil {
		return err
	}
	return st.Update(func(tx *store.Tx) error {
		sb, err := tx.Sandbox(c.ID)
		if err != nil {
			return err
		}
		netns.Remove(sb.NetnsPath)
		if err := e.recreateNetns(c, sb.NetnsPath); err != nil { // userns.go
			return fmt.Errorf("container %s: network namespace: %w", c.ID, err)
		}
		eps, err := tx.ContainerEndpoints(c.ID)
		if err != nil {
			return err
		}
		for i, ep := range eps {
			n, err := tx.Network(ep.Network)
			if err != nil {
				return err
			}
			link.Detach(ep.HostVeth)
			if err := attach(n, ep, sb.NetnsPath, !routedEndpoint(tx, eps[:i])); err != nil {
				return fmt.Errorf("container %s: network %s: %w", c.ID, n.Name, err)
			}
		}
		return applyFirewall(tx)
	})
}

// joinContainerNetwork shares a running container's network namespace,
// and its hosts and resolv.conf.
func (e *Engine) joinContainerNetwork(c *record.Container, o *runspec.Options, peer string) error {
	other, err := e.Records.Find(peer)
	if err != nil {
		return fmt.Errorf("--network container:%s: %w", peer, err)
	}
	if other.State.Status != record.StatusRunning || other.State.Pid == 0 {
		return fmt.Errorf("--network container:%s: the container is not running", peer)
	}
	o.NetnsPath = fmt.Sprintf("/proc/%d/ns/net", other.State.Pid)
	dir := e.Records.Dir(other.ID)
	for from, to := range map[string]string{filepath.Join(dir, "hosts"): o.NetworkFiles.Hosts, filepath.Join(dir, "resolv.conf"): o.NetworkFiles.ResolvConf} {
		if data, err := os.ReadFile(from); err == nil && to != "" {
			if err := os.WriteFile(to, data, 0o644); err != nil {
				return fmt.Errorf("container %s: %w", c.ID, err)
			}
		}
	}
	c.NetworkSettings = &record.NetworkSettings{SandboxKey: o.NetnsPath, Networks: map[string]*record.EndpointSettings{}}
	if other.NetworkSettings != nil {
		c.NetworkSettings.Policy = other.NetworkSettings.Policy
	}
	return nil
}

// fillNetworkSettings sets c.NetworkSettings from the store.
func (e *Engine) fillNetworkSettings(st *store.Store, c *record.Container) error {
	return st.View(func(tx *store.Tx) error {
		ns, err := networkSettings(tx, c.ID)
		if err == nil && ns != nil {
			c.NetworkSettings = ns
			c.HostConfig.PortBindings = ns.Ports
		}
		return err
	})
}

// RefreshNetworkSettings brings a record's network settings up to date
// with the store (connect and disconnect change them after creation).
func RefreshNetworkSettings(root string, c *record.Container) error {
	if _, err := os.Stat(rootdir.Layout(root).NetworkDB()); os.IsNotExist(err) {
		return nil
	}
	st, err := OpenNetworkStore(root)
	if err != nil {
		return err
	}
	return (&Engine{Root: root}).fillNetworkSettings(st, c)
}

// networkSettings is a container's NetworkSettings as the store has them;
// nil when the container has no sandbox.
func networkSettings(tx *store.Tx, id string) (*record.NetworkSettings, error) {
	sb, err := tx.Sandbox(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	eps, err := tx.ContainerEndpoints(id)
	if err != nil {
		return nil, err
	}
	ns := &record.NetworkSettings{SandboxKey: sb.NetnsPath, Networks: map[string]*record.EndpointSettings{}}
	ns.Ports = portBindings(sb.Ports)
	for i, ep := range eps {
		n, err := tx.Network(ep.Network)
		if err != nil {
			return nil, err
		}
		ns.Networks[n.Name] = &record.EndpointSettings{
			NetworkID: n.ID, Gateway: n.Gateway.String(), IPAddress: ep.Addr.String(),
			IPPrefixLen: n.Subnet.Bits(), MacAddress: ep.MAC, Aliases: []string{sb.Name},
		}
		if n.Name == store.DefaultNetwork {
			ns.IPAddress, ns.Gateway, ns.MacAddress = ep.Addr.String(), n.Gateway.String(), ep.MAC
		}
		if i == 0 {
			egress, ingress, err := effectivePolicies(tx, n, sb)
			if err != nil {
				return nil, err
			}
			ns.Policy = &record.EffectivePolicy{Egress: policyText(egress), Ingress: policyText(ingress)}
		}
	}
	return ns, nil
}

func policyText(p netpolicy.Policy) string { return p.String() }

// parseEgress and parseIngress read policy flags; none is allow-all.
func parseEgress(flags []string) (netpolicy.Policy, error) {
	if len(flags) == 0 {
		return netpolicy.Policy{}, nil
	}
	return netpolicy.ParseEgress(flags)
}

func parseIngress(flags []string) (netpolicy.Policy, error) {
	if len(flags) == 0 {
		return netpolicy.Policy{}, nil
	}
	return netpolicy.ParseIngress(flags)
}

// previewNetwork is the network part of the record before anything is
// made (and all of it for `ward run --dry-run` and --policy): the
// effective policy and the published ports, ephemeral ones as 0.
func (e *Engine) previewNetwork(p netPlan) (*record.NetworkSettings, map[string][]record.PortBinding) {
	ns := &record.NetworkSettings{Networks: map[string]*record.EndpointSettings{}}
	switch p.mode {
	case "none":
		ns.Networks["none"] = &record.EndpointSettings{}
		ns.Policy = &record.EffectivePolicy{Egress: "deny-all", Ingress: "deny-all"}
		return ns, nil
	case "host":
		ns.Networks["host"] = &record.EndpointSettings{}
		ns.Policy = &record.EffectivePolicy{Egress: "allow-all", Ingress: "allow-all"}
		return ns, nil
	case "container":
		return ns, nil // the other container's, found at creation
	}
	ns.Networks[p.network] = &record.EndpointSettings{}
	var n store.Network
	if _, err := os.Stat(e.Layout().NetworkDB()); err == nil {
		if st, err := e.networkStore(); err == nil {
			st.View(func(tx *store.Tx) error { n, _ = tx.Network(p.network); return nil })
		}
	}
	egress, ingress, err := effectivePolicies(nil, n, store.Sandbox{Egress: p.egress, Ingress: p.ingress})
	if err == nil {
		ns.Policy = &record.EffectivePolicy{Egress: policyText(egress), Ingress: policyText(ingress)}
	}
	ns.Ports = portBindings(p.ports)
	return ns, ns.Ports
}

// portBindings are published ports in Docker's inspect shape.
func portBindings(ports []store.Port) map[string][]record.PortBinding {
	if len(ports) == 0 {
		return nil
	}
	out := map[string][]record.PortBinding{}
	for _, p := range ports {
		key := fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto)
		ip := "0.0.0.0"
		if p.HostIP.IsValid() {
			ip = p.HostIP.String()
		}
		out[key] = append(out[key], record.PortBinding{HostIp: ip, HostPort: strconv.Itoa(int(p.HostPort))})
	}
	return out
}

// PortsText is docker ps's PORTS column: "0.0.0.0:8080->80/tcp, ...".
func PortsText(bindings map[string][]record.PortBinding) string {
	var out []string
	for port, bs := range bindings {
		for _, b := range bs {
			out = append(out, b.HostIp+":"+b.HostPort+"->"+port)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
