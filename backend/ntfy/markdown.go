package ntfy

import (
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// markdown parses the Markdown of messages sent with "markdown": true
// (content_type "text/markdown") as CommonMark. It is made on the first such
// message, not at every start of the agent.
//
// GitHub's extensions are left out: their package (goldmark/extension)
// compiles its regular expressions at init, 4 ms of every start of the
// agent, which needs only this. Of what they add, a plain-text popup would
// show strikethrough differently ("~~gone~~" stays as written), and a bare
// address whose path has a part set off as emphasis ("/_x_/" shows as
// "/x/"); any other bare address reads as Linkify's link would.
var markdown = sync.OnceValue(func() goldmark.Markdown { return goldmark.New() })

// plainText renders Markdown as the plain text a desktop notification can
// show: markup characters gone, one line per paragraph, heading and list
// item, "• " before bullet items and "1. " before numbered ones, code kept
// as written, a link's text followed by its address when they differ, an
// image's description, and HTML tags dropped (their text kept).
func plainText(src string) string {
	source := []byte(src)
	doc := markdown().Parser().Parse(text.NewReader(source))
	var b strings.Builder
	newline := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Heading, *ast.Paragraph, *ast.TextBlock, *ast.Blockquote, *ast.List, *ast.ThematicBreak:
			// A list item's first block goes on the bullet's line.
			if _, item := n.Parent().(*ast.ListItem); !item || n.PreviousSibling() != nil {
				newline()
			}
		case *ast.ListItem:
			if entering {
				newline()
				b.WriteString(bullet(n))
			}
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			if !entering { // Walk leaves a node too, after skipping its children
				return ast.WalkContinue, nil
			}
			newline()
			lines := n.Lines()
			for i := range lines.Len() {
				seg := lines.At(i)
				b.Write(seg.Value(source))
			}
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if entering {
				b.Write(n.Value(source))
				if n.SoftLineBreak() || n.HardLineBreak() {
					b.WriteByte('\n')
				}
			}
		case *ast.String:
			if entering {
				b.Write(n.Value)
			}
		case *ast.AutoLink:
			if entering {
				b.Write(n.Label(source))
			}
		case *ast.Link:
			if !entering {
				dest := string(n.Destination)
				if dest != "" && dest != string(linkText(n, source)) {
					b.WriteString(" (" + dest + ")")
				}
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// bullet is what starts a list item: "• ", or its number in an ordered list.
func bullet(item *ast.ListItem) string {
	list, ok := item.Parent().(*ast.List)
	if !ok || !list.IsOrdered() {
		return "• "
	}
	n := list.Start
	for s := item.PreviousSibling(); s != nil; s = s.PreviousSibling() {
		n++
	}
	return strconv.Itoa(n) + ". "
}

// linkText is the text a link shows.
func linkText(n ast.Node, source []byte) []byte {
	var out []byte
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			out = append(out, t.Value(source)...)
		} else {
			out = append(out, linkText(c, source)...)
		}
	}
	return out
}
