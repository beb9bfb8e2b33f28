package main

import (
	"os"

	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
)

// networkFlags are `ward run`'s flags for ports and policies; --network
// itself is in runFlags.o.Network.
type networkFlags struct {
	req engine.NetworkRequest
}

func (f *networkFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVarP(&f.req.Publish, "publish", "p", nil, "publish a port: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]")
	fl.BoolVarP(&f.req.PublishAll, "publish-all", "P", false, "publish every port the image exposes on ephemeral host ports")
	fl.StringArrayVar(&f.req.Egress, "egress", nil, "egress policy: allow=CIDR[:PORT[/PROTO]],... or deny-all (default: the network's)")
	fl.StringArrayVar(&f.req.Ingress, "ingress", nil, "ingress policy: allow=CONTAINER|NETWORK|CIDR[:PORT[/PROTO]],...")
}

// defaultNetwork is the network of a `ward run` without --network:
// $WARD_DEFAULT_NETWORK, else "default-network" in ward's config file,
// else the default bridge, as Docker's.
func defaultNetwork() (string, error) {
	if v := os.Getenv("WARD_DEFAULT_NETWORK"); v != "" {
		return v, nil
	}
	cfg, err := engineconfig.Read()
	if err != nil {
		return "", err
	}
	if cfg.DefaultNetwork != "" {
		return cfg.DefaultNetwork, nil
	}
	return "bridge", nil
}

// apply puts the network flags into the request, and the default
// network when --network is not given.
func (f *networkFlags) apply(req *engine.CreateRequest) error {
	req.Net = f.req
	if req.Run.Network == "" {
		n, err := defaultNetwork()
		if err != nil {
			return err
		}
		req.Run.Network = n
	}
	return nil
}
