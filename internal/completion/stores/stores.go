// Package stores gives shell completion ward's objects: the containers,
// images, networks and volumes under the root the completed command
// line names (--root, else $WARD_ROOT).
package stores

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/completion"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/network/store"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
)

// Sources read ward's stores under the root, read when a completion
// runs: cobra parses the persistent flags before calling a completion
// function but runs no PreRun, so Prepare applies --root itself.
func Sources() completion.Sources {
	return completion.Sources{
		Prepare: func(cmd *cobra.Command) {
			if f := cmd.Flag("root"); f != nil && f.Changed {
				os.Setenv("WARD_ROOT", f.Value.String())
			}
		},
		Containers: func() ([]string, []string, error) {
			records, err := record.OpenRecords(cli.Layout().Containers())
			if err != nil {
				return nil, nil, err
			}
			list, err := records.List()
			if err != nil {
				return nil, nil, err
			}
			var ids, names []string
			for _, c := range list {
				ids = append(ids, c.ID)
				names = append(names, strings.TrimPrefix(c.Name, "/"))
			}
			return ids, names, nil
		},
		Images: func() ([]string, error) {
			s, err := open.Images(cli.Layout())
			if err != nil {
				return nil, err
			}
			list, err := s.List()
			if err != nil {
				return nil, err
			}
			var out []string
			for _, img := range list {
				for _, t := range img.RepoTags {
					out = append(out, image.Familiar(t))
				}
			}
			return out, nil
		},
		Networks: func() ([]string, error) {
			st, err := engine.OpenNetworkStore(cli.WardRoot())
			if err != nil {
				return nil, err
			}
			out := []string{"bridge", "host", "none"}
			err = st.View(func(tx *store.Tx) error {
				nets, err := tx.Networks()
				for _, n := range nets {
					if n.Name != "bridge" {
						out = append(out, n.Name)
					}
				}
				return err
			})
			return out, err
		},
		Volumes: func() ([]string, error) {
			s, err := open.Volumes(cli.Layout())
			if err != nil {
				return nil, err
			}
			list, err := s.List()
			if err != nil {
				return nil, err
			}
			var out []string
			for _, v := range list {
				out = append(out, v.Name)
			}
			return out, nil
		},
	}
}
