package cgroup

import (
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestSharesToWeight(t *testing.T) {
	tests := []struct {
		shares, want uint64
	}{
		{0, 0},          // unset stays unset
		{2, 1},          // v1 minimum -> v2 minimum
		{262144, 10000}, // v1 maximum -> v2 maximum
		{1024, 39},      // the v1 default: 1 + 1022*9999/262142
		{512, 20},
		{1, 1},           // below the v1 range clamps
		{1 << 20, 10000}, // above it clamps
		{131073, 5000},   // midpoint: 1 + 131071*9999/262142
	}
	for _, tt := range tests {
		if got := SharesToWeight(tt.shares); got != tt.want {
			t.Errorf("SharesToWeight(%d) = %d, want %d", tt.shares, got, tt.want)
		}
	}
}

func TestBlkioToIOWeight(t *testing.T) {
	tests := []struct{ in, want uint64 }{
		{0, 0}, {10, 1}, {1000, 10000}, {500, 4950}, {5, 1}, {2000, 10000},
	}
	for _, tt := range tests {
		if got := BlkioToIOWeight(tt.in); got != tt.want {
			t.Errorf("BlkioToIOWeight(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestSwapToV2(t *testing.T) {
	tests := []struct {
		name        string
		swap, limit *int64
		want        *int64
		wantErr     bool
	}{
		{name: "both unset", want: nil},
		{name: "limit only", limit: ptr[int64](100), want: nil},
		{name: "swap zero is unset", swap: ptr[int64](0), limit: ptr[int64](100), want: nil},
		{name: "unlimited memory makes unlimited swap", limit: ptr[int64](-1), want: ptr[int64](-1)},
		{name: "unlimited swap", swap: ptr[int64](-1), limit: ptr[int64](100), want: ptr[int64](-1)},
		{name: "swap counts memory too", swap: ptr[int64](300), limit: ptr[int64](100), want: ptr[int64](200)},
		{name: "equal means no swap", swap: ptr[int64](100), limit: ptr[int64](100), want: ptr[int64](0)},
		{name: "swap below limit", swap: ptr[int64](50), limit: ptr[int64](100), wantErr: true},
		{name: "swap without limit", swap: ptr[int64](50), wantErr: true},
		{name: "negative swap", swap: ptr[int64](-5), limit: ptr[int64](100), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SwapToV2(tt.swap, tt.limit)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %t", err, tt.wantErr)
			}
			switch {
			case got == nil && tt.want == nil:
			case got == nil || tt.want == nil:
				t.Errorf("got %v, want %v", got, tt.want)
			case *got != *tt.want:
				t.Errorf("got %d, want %d", *got, *tt.want)
			}
		})
	}
}

func TestCPUMax(t *testing.T) {
	tests := []struct {
		name   string
		quota  *int64
		period *uint64
		want   string
		ok     bool
	}{
		{name: "unset"},
		{name: "quota and period", quota: ptr[int64](50000), period: ptr[uint64](100000), want: "50000 100000", ok: true},
		{name: "quota only keeps period", quota: ptr[int64](20000), want: "20000", ok: true},
		{name: "unlimited quota with period", quota: ptr[int64](-1), period: ptr[uint64](250000), want: "max 250000", ok: true},
		{name: "period only", period: ptr[uint64](100000), want: "max 100000", ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cpuMax(tt.quota, tt.period)
			if got != tt.want || ok != tt.ok {
				t.Errorf("cpuMax = %q,%t, want %q,%t", got, ok, tt.want, tt.ok)
			}
		})
	}
}
