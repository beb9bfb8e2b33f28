package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestImageNotPinned(t *testing.T) {
	img := func(k workload.Kind, ref string) workload.Workload {
		w := hardened(k)
		w.Image = ref
		return w
	}
	dockerfile := func(bases ...string) workload.Workload {
		w := hardened(workload.KindDockerfile)
		w.Image = ""
		w.Build = &workload.Build{}
		for i, b := range bases {
			w.Build.Bases = append(w.Build.Bases, workload.Base{Image: b, Line: i + 1, Stage: "s"})
		}
		return w
	}
	runCases(t, ImageNotPinned, audit.Settings{}, []ruleCase{
		{"no tag", img(workload.KindCompose, "nginx"), 1},
		{"latest", img(workload.KindKubernetes, "nginx:latest"), 1},
		{"registry port is not a tag", img(workload.KindKubernetes, "localhost:5000/app"), 1},
		{"versioned", img(workload.KindKubernetes, "nginx:1.27"), 0},
		{"digest pins latest", img(workload.KindInspect, "nginx:latest@sha256:0123"), 0},
		{"built image unknown", img(workload.KindCompose, ""), 0},
		{"every stage's base", dockerfile("golang", "alpine:latest", "alpine:3.20"), 2},
		{"unresolved ARG left alone", dockerfile("${BASE}"), 0},
	})
}
