package workload

// Trust is what ward knows of an image's signatures under the trust
// policy in force (trust-policy in ward's config): whether its manifest
// digest was verified, by whom, and, when the policy would not let it
// run, why.
type Trust struct {
	Verified bool
	Signer   string // the key's fingerprint or the certificate's identity
	Identity string // the identity the signature claims
	Digest   string // the manifest digest the signature names
	// Refusal is the trust policy's refusal, empty when it would run.
	Refusal string
}
