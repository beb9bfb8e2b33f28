// Package rules holds ward's checklist rules, one per file beside its test,
// all listed in the table All returns. Rule IDs are stable: WD1xx judge how a
// container runs, WD2xx what it runs (image, environment, limits).
package rules

import "github.com/wardproject/ward/internal/audit"

// All lists every rule, in ID order. Nothing registers itself elsewhere.
func All() []audit.Rule {
	return []audit.Rule{
		RunsAsRoot,
		CapabilitiesNotDropped,
		CapabilityAdded,
		PrivilegedContainer,
		HostProcessContainer,
		NoNewPrivilegesUnset,
		WritableRootfs,
		HostPathMounted,
		SensitiveHostPathMounted,
		RuntimeSocketMounted,
		HostDeviceExposed,
		VolumeTypeNotAllowed,
		HostPIDNamespace,
		HostIPCNamespace,
		HostUTSNamespace,
		HostNetworkNamespace,
		UnrestrictedEgress,
		SeccompDisabled,
		SeccompUnset,
		AppArmorDisabled,
		SELinuxWeakened,
		ProcUnmasked,
		UnsafeSysctl,
		ImageNotPinned,
		FullDistributionBase,
		SecretInEnvironment,
		NoMemoryLimit,
		NoPidsLimit,
		PortOnAllInterfaces,
		SSHServer,
		AddInsteadOfCopy,
		PackageCacheLeft,
		DistUpgrade,
		NoHealthcheck,
		SudoInImage,
		SetuidBits,
		AddURL,
		PipeToShell,
		Maintainer,
		RelativeWorkdir,
		RunCd,
		AptRecommends,
		CopyWithoutChown,
		AptUnpinned,
		UntrustedRegistry,
		UnverifiedImage,
		KnownVulnerabilities,
		ScanCoverage,
	}
}

// ByID returns the rule with the given ID.
func ByID(id string) (audit.Rule, bool) {
	for _, r := range All() {
		if r.ID == id {
			return r, true
		}
	}
	return audit.Rule{}, false
}
