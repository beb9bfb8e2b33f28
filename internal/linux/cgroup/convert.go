package cgroup

import (
	"errors"
	"fmt"
)

// SharesToWeight converts v1 cpu.shares (2..262144) to v2 cpu.weight
// (1..10000) with runc's linear mapping, so the same config.json gives the
// same relative weight on both versions. Zero means unset and stays zero.
func SharesToWeight(shares uint64) uint64 {
	if shares == 0 {
		return 0
	}
	if shares < 2 {
		shares = 2
	}
	if shares > 262144 {
		shares = 262144
	}
	return 1 + ((shares-2)*9999)/262142
}

// BlkioToIOWeight converts a v1 blkio weight (10..1000) to a v2 io.weight
// (1..10000), as runc does. Zero means unset and stays zero.
func BlkioToIOWeight(w uint64) uint64 {
	if w == 0 {
		return 0
	}
	if w < 10 {
		w = 10
	}
	if w > 1000 {
		w = 1000
	}
	return 1 + (w-10)*9999/990
}

// SwapToV2 converts OCI memory.swap, which like v1 memory.memsw counts
// memory plus swap, to v2 memory.swap.max, which counts swap alone. A nil
// result means leave memory.swap.max alone; -1 means "max".
func SwapToV2(swap, limit *int64) (*int64, error) {
	max := int64(-1)
	if swap == nil || *swap == 0 {
		// Zero is "unset" to runc as well. Unlimited memory with swap unset
		// means unlimited swap too, as it does on v1.
		if limit != nil && *limit == -1 {
			return &max, nil
		}
		return nil, nil
	}
	if *swap == -1 {
		return &max, nil
	}
	if *swap < 0 {
		return nil, fmt.Errorf("invalid memory.swap %d", *swap)
	}
	if limit == nil || *limit <= 0 {
		return nil, errors.New("memory.swap needs a memory.limit")
	}
	if *swap < *limit {
		return nil, fmt.Errorf("memory.swap %d is below memory.limit %d: it counts memory plus swap", *swap, *limit)
	}
	v := *swap - *limit
	return &v, nil
}
