package githubapi

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// missingFields names the required fields that data, a JSON document that
// encoding/json has already accepted, lacks or has null. A plain name is a
// top-level field; "list[].name" requires name in every element of the list
// (reported as "list[2].name", the first element lacking it); "a|b" is
// satisfied by either field (GitHub's schema and examples disagree on some
// names). Keys match without regard to case, as encoding/json matches
// them. The document is scanned in place: nothing of it is copied.
func missingFields(data []byte, required []string) []string {
	var plain []string
	fields := map[string][]string{} // of each list
	for _, name := range required {
		if list, field, ok := strings.Cut(name, "[]."); ok {
			fields[list] = append(fields[list], field)
		} else {
			plain = append(plain, name)
		}
	}
	present := map[string]bool{}
	lacking := map[string][]string{} // per list, the first path lacking each field
	s := &docScanner{d: data}
	s.object(func(key []byte) {
		for _, name := range plain {
			if !present[name] && matchesAny(key, name) && !s.null() {
				present[name] = true
			}
		}
		for list, want := range fields {
			if _, done := lacking[list]; done || !bytes.EqualFold(key, []byte(list)) || s.null() {
				continue
			}
			if !s.is('[') {
				// Not the list of objects the schema describes.
				lacking[list] = slices.Repeat([]string{list}, len(want))
				break
			}
			lacking[list] = s.firstLacking(list, want)
			return
		}
		s.skip()
	})
	var missing []string
	seen := map[string]int{}
	for _, name := range required {
		list, _, ok := strings.Cut(name, "[].")
		if !ok {
			if !present[name] {
				missing = append(missing, name)
			}
			continue
		}
		if l := lacking[list]; l != nil {
			if path := l[seen[list]]; path != "" {
				missing = append(missing, path)
			}
		}
		seen[list]++
	}
	return missing
}

// matchesAny says whether key is one of the "|"-separated names.
func matchesAny(key []byte, names string) bool {
	for alt := range strings.SplitSeq(names, "|") {
		if bytes.EqualFold(key, []byte(alt)) {
			return true
		}
	}
	return false
}

// docScanner walks a valid JSON document without decoding it.
type docScanner struct {
	d []byte
	i int
}

func (s *docScanner) ws() {
	for s.i < len(s.d) && (s.d[s.i] == ' ' || s.d[s.i] == '\t' || s.d[s.i] == '\n' || s.d[s.i] == '\r') {
		s.i++
	}
}

// is says whether the next value starts with c.
func (s *docScanner) is(c byte) bool {
	s.ws()
	return s.i < len(s.d) && s.d[s.i] == c
}

func (s *docScanner) null() bool {
	s.ws()
	return bytes.HasPrefix(s.d[s.i:], []byte("null"))
}

// str consumes a string and returns its text, a slice of the document;
// only a string with escapes is decoded (into a new slice).
func (s *docScanner) str() []byte {
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.d) && s.d[s.i] != '"' {
		if s.d[s.i] == '\\' {
			escaped = true
			s.i++
		}
		s.i++
	}
	s.i++
	if !escaped {
		return s.d[start+1 : s.i-1]
	}
	var text string
	_ = json.Unmarshal(s.d[start:s.i], &text)
	return []byte(text)
}

// skip consumes one value of any kind.
func (s *docScanner) skip() {
	s.ws()
	if s.i >= len(s.d) {
		return
	}
	switch s.d[s.i] {
	case '"':
		s.str()
	case '{', '[':
		depth := 0
		for s.i < len(s.d) {
			switch s.d[s.i] {
			case '"':
				s.str()
				if depth == 0 {
					return
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return
			}
		}
	default:
		for s.i < len(s.d) && !bytes.ContainsRune([]byte(",}] \t\r\n"), rune(s.d[s.i])) {
			s.i++
		}
	}
}

// object calls member for each member of the object that comes next, with
// the scanner at the member's value, which member must consume. Anything but
// an object (null included) has no members and is skipped.
func (s *docScanner) object(member func(key []byte)) {
	if !s.is('{') {
		s.skip()
		return
	}
	s.i++
	for {
		s.ws()
		if s.i >= len(s.d) || s.d[s.i] == '}' {
			s.i++
			return
		}
		if s.d[s.i] == ',' {
			s.i++
			continue
		}
		key := s.str()
		s.ws()
		s.i++ // ':'
		member(key)
	}
}

// firstLacking walks the list that comes next and returns, for each of
// fields (each one or several "|"-separated names), the path of the first
// element without it non-null, or "" when every element has it. An element
// that is not an object makes the list itself the answer, as it is not the
// list of objects the schema describes; a null element lacks every field.
func (s *docScanner) firstLacking(list string, fields []string) []string {
	found := make([]string, len(fields))
	s.ws()
	s.i++ // '['
	for index := 0; ; {
		s.ws()
		if s.i >= len(s.d) || s.d[s.i] == ']' {
			s.i++
			return found
		}
		if s.d[s.i] == ',' {
			s.i++
			index++
			continue
		}
		path := func(field string) string { return list + "[" + strconv.Itoa(index) + "]." + field }
		switch {
		case s.null():
			for f, field := range fields {
				if found[f] == "" {
					found[f] = path(field)
				}
			}
			s.skip()
		case !s.is('{'):
			for f := range fields {
				if found[f] == "" {
					found[f] = list
				}
			}
			s.skip()
		default:
			has := make([]bool, len(fields))
			s.object(func(key []byte) {
				for f, field := range fields {
					if !has[f] && matchesAny(key, field) && !s.null() {
						has[f] = true
					}
				}
				s.skip()
			})
			for f, field := range fields {
				if !has[f] && found[f] == "" {
					found[f] = path(field)
				}
			}
		}
	}
}
