package desktoptest

import (
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

const menuIface = "com.canonical.dbusmenu"

// MenuItem is one entry of a tray icon's menu as a panel would show it: the
// com.canonical.dbusmenu properties, with the spec's defaults filled in.
type MenuItem struct {
	ID    int32
	Depth int    // 0 for entries of the menu itself, 1 inside a submenu, and so on
	Type  string // "standard" or "separator"
	// Label is as sent, with any "_" that marks an access key.
	Label       string
	Enabled     bool
	Visible     bool
	ToggleType  string // "", "checkmark" or "radio"
	ToggleState int    // 1 on, 0 off, -1 neither
	Submenu     bool   // the entry opens a submenu; its entries follow it
}

// layoutNode is the (ia{sv}av) structure GetLayout returns.
type layoutNode struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// MenuLayout lists the entries of the item's menu depth first, each
// submenu's entries right after the entry that opens it.
func (w *Watcher) MenuLayout(item Item) ([]MenuItem, error) {
	menu, err := w.menu(item)
	if err != nil {
		return nil, err
	}
	root, err := getLayout(menu, 0)
	if err != nil {
		return nil, err
	}
	var items []MenuItem
	var walk func(n layoutNode, depth int) error
	walk = func(n layoutNode, depth int) error {
		for _, v := range n.Children {
			var child layoutNode
			if err := dbus.Store([]any{v.Value()}, &child); err != nil {
				return fmt.Errorf("GetLayout: menu entry: %w", err)
			}
			mi := menuItem(child, depth)
			items = append(items, mi)
			if mi.Submenu && len(child.Children) == 0 {
				// fyne.io/systray answers the first GetLayout with one level
				// only, whatever depth was asked (firstGetLayoutDone in its
				// systray_menu_unix.go); a panel then asks for the submenu.
				if child, err = getLayout(menu, child.ID); err != nil {
					return err
				}
			}
			if err := walk(child, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return items, walk(root, 0)
}

// ClickMenu clicks the first visible entry labelled label in the item's
// menu, as a person does. Clicking a disabled entry is an error, since a
// person cannot.
func (w *Watcher) ClickMenu(item Item, label string) error {
	items, err := w.MenuLayout(item)
	if err != nil {
		return err
	}
	for _, mi := range items {
		if mi.Label != label || !mi.Visible || mi.Type == "separator" {
			continue
		}
		if !mi.Enabled {
			return fmt.Errorf("menu entry %q is disabled", label)
		}
		menu, err := w.menu(item)
		if err != nil {
			return err
		}
		return menu.Call(menuIface+".Event", 0, mi.ID, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err
	}
	return fmt.Errorf("no visible menu entry %q", label)
}

// menu returns the item's dbusmenu object, named by its Menu property.
func (w *Watcher) menu(item Item) (dbus.BusObject, error) {
	v, err := w.Property(item, "Menu")
	if err != nil {
		return nil, err
	}
	var path dbus.ObjectPath
	if err := v.Store(&path); err != nil {
		return nil, fmt.Errorf("menu property: %w", err)
	}
	return w.conn.Object(item.Service, path), nil
}

func getLayout(menu dbus.BusObject, parent int32) (layoutNode, error) {
	var revision uint32
	var n layoutNode
	err := menu.Call(menuIface+".GetLayout", 0, parent, int32(-1), []string{}).Store(&revision, &n)
	if err != nil {
		return layoutNode{}, fmt.Errorf("GetLayout(%d): %w", parent, err)
	}
	return n, nil
}

func menuItem(n layoutNode, depth int) MenuItem {
	mi := MenuItem{ID: n.ID, Depth: depth, Type: "standard", Enabled: true, Visible: true, ToggleState: -1}
	for k, v := range n.Props {
		switch k {
		case "type":
			mi.Type, _ = v.Value().(string)
		case "label":
			mi.Label, _ = v.Value().(string)
		case "enabled":
			mi.Enabled, _ = v.Value().(bool)
		case "visible":
			mi.Visible, _ = v.Value().(bool)
		case "toggle-type":
			mi.ToggleType, _ = v.Value().(string)
		case "toggle-state":
			// The spec says int32; some items send another integer type.
			mi.ToggleState = toInt(v.Value())
		case "children-display":
			mi.Submenu = v.Value() == "submenu"
		}
	}
	return mi
}

func toInt(v any) int {
	switch n := v.(type) {
	case int16:
		return int(n)
	case int32:
		return int(n)
	case int64:
		return int(n)
	case uint16:
		return int(n)
	case uint32:
		return int(n)
	case uint64:
		return int(n)
	case byte:
		return int(n)
	}
	return -1
}
