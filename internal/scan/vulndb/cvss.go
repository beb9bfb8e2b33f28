package vulndb

import (
	"fmt"
	"strings"

	cvss20 "github.com/pandatix/go-cvss/20"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"
)

// CVSSBaseScore scores a CVSS vector of any version OSV carries: v2
// ("AV:N/AC:L/Au:N/C:P/I:P/A:P", type CVSS_V2), v3.0, v3.1 and v4.0 (the
// version is in the vector's prefix). Scoring is go-cvss's, which follows
// FIRST's specifications and is tested against their calculators; v4.0 in
// particular is a lookup table no one should write by hand.
func CVSSBaseScore(vector string) (float64, error) {
	switch {
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		v, err := cvss40.ParseVector(vector)
		if err != nil {
			return 0, fmt.Errorf("cvss vector %q: %w", vector, err)
		}
		return v.Score(), nil
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		v, err := cvss31.ParseVector(vector)
		if err != nil {
			return 0, fmt.Errorf("cvss vector %q: %w", vector, err)
		}
		return v.BaseScore(), nil
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		v, err := cvss30.ParseVector(vector)
		if err != nil {
			return 0, fmt.Errorf("cvss vector %q: %w", vector, err)
		}
		return v.BaseScore(), nil
	case strings.HasPrefix(vector, "CVSS:"):
		return 0, fmt.Errorf("cvss vector %q: unknown CVSS version", vector)
	}
	// CVSS v2 vectors carry no version prefix; some feeds wrap them in
	// parentheses or add "CVSS:2.0/".
	v, err := cvss20.ParseVector(strings.Trim(strings.TrimPrefix(vector, "CVSS:2.0/"), "()"))
	if err != nil {
		return 0, fmt.Errorf("cvss vector %q: %w", vector, err)
	}
	return v.BaseScore(), nil
}

// cvssRank maps a base score to its qualitative rating (the same bands in
// v3.x and v4.0; v2 has no "critical", and its 7.0-10.0 band is high).
func cvssRank(score float64, v2 bool) int {
	switch {
	case score >= 9.0 && !v2:
		return 4
	case score >= 7.0:
		return 3
	case score >= 4.0:
		return 2
	case score > 0:
		return 1
	}
	return 0
}
