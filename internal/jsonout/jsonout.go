// Package jsonout writes the JSON documents ward's verbs print (runc's
// state and features, ward db status, ward verify's record): indented by
// two spaces, one trailing newline, as runc and docker print theirs. One
// writer, so that every binary prints JSON the same way.
package jsonout

import (
	"encoding/json"
	"io"
)

// Write writes v to w as indented JSON.
func Write(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
