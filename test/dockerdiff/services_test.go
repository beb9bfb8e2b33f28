package dockerdiff

import "testing"

// TestServicesAlike compares, under one dockerd, what is not a flag set
// of the probe: where ward refuses on purpose, stop signals and restart,
// restart policies, health checks and logs. Each part is a subtest; run
// one with -run 'TestServicesAlike/NAME'.
func TestServicesAlike(t *testing.T) {
	e := setUp(t)
	for _, part := range []struct {
		name string
		test func(*testing.T, engines)
	}{
		{"WardRefusesWhatDockerIgnores", testWardRefusesWhatDockerIgnores},
		{"MissingDeviceIsWardsFailure", testMissingDeviceIsWardsFailure},
		{"SeccompProfileCheckedFirst", testSeccompProfileCheckedFirst},
		{"DeviceRenamedAlike", testDeviceRenamedAlike},
		{"StopAndRestartAlike", testStopAndRestartAlike},
		{"RestartPoliciesAlike", testRestartPoliciesAlike},
		{"ForegroundAlike", testForegroundAlike},
		{"HealthChecksAlike", testHealthChecksAlike},
		{"LogsAlike", testLogsAlike},
		{"LogRotationAlike", testLogRotationAlike},
	} {
		t.Run(part.name, func(t *testing.T) { part.test(t, e) })
	}
}
