package change

import (
	"reflect"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestApply(t *testing.T) {
	tests := []struct {
		change  string
		want    v1.Config
		wantErr bool
	}{
		{change: `CMD ["/bin/sh", "-c", "true"]`, want: v1.Config{Cmd: []string{"/bin/sh", "-c", "true"}}},
		{change: `CMD echo hi`, want: v1.Config{Cmd: []string{"/bin/sh", "-c", "echo hi"}}},
		{change: `ENTRYPOINT ["/bin/busybox"]`, want: v1.Config{Entrypoint: []string{"/bin/busybox"}}},
		{change: `USER 1000:1000`, want: v1.Config{User: "1000:1000"}},
		{change: `WORKDIR /srv`, want: v1.Config{WorkingDir: "/srv"}},
		{change: `ENV A=1`, want: v1.Config{Env: []string{"A=1"}}},
		{change: `ENV B two`, want: v1.Config{Env: []string{"B=two"}}},
		{change: `LABEL org.example=yes`, want: v1.Config{Labels: map[string]string{"org.example": "yes"}}},
		{change: `EXPOSE 80 53/udp`, want: v1.Config{ExposedPorts: map[string]struct{}{"80/tcp": {}, "53/udp": {}}}},
		{change: `RUN rm -rf /`, wantErr: true},
		{change: `CMD ["unterminated"`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.change, func(t *testing.T) {
			var got v1.Config
			err := Apply(&got, tc.change)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("config = %+v, want %+v", got, tc.want)
			}
		})
	}
}
