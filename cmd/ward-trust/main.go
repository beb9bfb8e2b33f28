// Command ward-trust runs ward's trust verbs: key generate, sign and
// verify, and the verification `ward pull` asks for under a trust policy.
// Users type them as `ward sign` and so on: ward execs ward-trust, shipped
// beside it. They live in a binary of their own because of what they link
// (sigstore, sigstore-go and its protobuf, gRPC and OpenAPI types: 20 MB
// and milliseconds of package initialization), which neither `ward run`
// nor ward-audit, which judges `ward run --policy`, should pay for.
package main

import "github.com/wardproject/ward/internal/cli"

func main() {
	root := cli.Root("ward", "A least-privilege container engine: the trust verbs")
	root.AddCommand(
		newKeyCommand(), newSignCommand(), newVerifyCommand(),
		newTrustVerifyCommand(), // ward pull under a trust policy
	)
	cli.Run(root)
}
