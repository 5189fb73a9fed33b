package sim

import (
	"reflect"
	"testing"
)

// TestEventSetCopiesEveryField fills every field of an event and checks
// that set copies it: a field added to event but not to set would be lost
// between push and pop.
func TestEventSetCopiesEveryField(t *testing.T) {
	var src event
	v := reflect.ValueOf(&src).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		name := v.Type().Field(i).Name
		switch f.Kind() {
		case reflect.Bool:
			reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().SetBool(true)
		case reflect.Uint8, reflect.Uint32, reflect.Uint64:
			reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().SetUint(uint64(i + 1))
		case reflect.Int, reflect.Int32:
			reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().SetInt(int64(i + 1))
		case reflect.String:
			reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().SetString(name)
		case reflect.Interface:
			reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().Set(reflect.ValueOf(name))
		case reflect.Func:
			src.fn = func() {}
		default:
			t.Fatalf("field %s of kind %v: teach this test to fill it", name, f.Kind())
		}
		if f.IsZero() {
			t.Fatalf("field %s still zero", name)
		}
	}
	var dst event
	dst.set(&src)
	dv := reflect.ValueOf(&dst).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if name == "fn" {
			if dst.fn == nil {
				t.Fatal("fn not copied")
			}
			continue
		}
		a := reflect.NewAt(v.Field(i).Type(), v.Field(i).Addr().UnsafePointer()).Elem().Interface()
		b := reflect.NewAt(dv.Field(i).Type(), dv.Field(i).Addr().UnsafePointer()).Elem().Interface()
		if a != b {
			t.Fatalf("field %s: set copied %v, want %v", name, b, a)
		}
	}
}
