-- pandoc filter for `make spec`: give every numbered heading of SPEC.md a stable anchor equal
-- to its number ("Q4", "Q4.5", "Q4.E2"), so a citation "SPEC.md §Q4.5" links to #Q4.5 whatever
-- the heading's wording becomes. Other headings keep pandoc's automatic identifiers.
function Header(header)
  local text = pandoc.utils.stringify(header.content)
  local number = text:match("^(Q%d+%.E%d+)") or text:match("^(Q%d+%.%d+)") or
                 text:match("^(Q%d+)") or text:match("^Example (Q%d+%.E%d+)")
  if number then
    header.identifier = number
  end
  return header
end
