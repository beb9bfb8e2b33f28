package main

import (
	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/engine"
)

// registerNetwork declares `ward run`'s flags for ports and policies;
// --network itself is runspec's (run.go). Without --network the network
// is runrequest.DefaultNetwork.
func registerNetwork(fl *pflag.FlagSet, req *engine.NetworkRequest) {
	fl.StringArrayVarP(&req.Publish, "publish", "p", nil, "publish a port: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]")
	fl.BoolVarP(&req.PublishAll, "publish-all", "P", false, "publish every port the image exposes on ephemeral host ports")
	fl.StringArrayVar(&req.Egress, "egress", nil, "egress policy: allow=CIDR[:PORT[/PROTO]],... or deny-all (default: the network's)")
	fl.StringArrayVar(&req.Ingress, "ingress", nil, "ingress policy: allow=CONTAINER|NETWORK|CIDR[:PORT[/PROTO]],...")
}
