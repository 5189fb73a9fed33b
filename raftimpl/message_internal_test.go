package raftimpl

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMessageAssignCopiesEveryField fills every field of a Message with a
// non-zero value and checks that assign copies it: a field added to
// Message but not to assign would be lost in transit.
func TestMessageAssignCopiesEveryField(t *testing.T) {
	var src Message
	v := reflect.ValueOf(&src).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			f.SetUint(uint64(i + 1))
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		default:
			t.Fatalf("field %s of kind %v: teach this test to fill it", v.Type().Field(i).Name, f.Kind())
		}
		require.False(t, f.IsZero(), "field %s", v.Type().Field(i).Name)
	}
	var dst Message
	dst.assign(&src)
	require.Equal(t, src, dst)
}
