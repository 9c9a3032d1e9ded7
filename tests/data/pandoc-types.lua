-- Print "Block Name" / "Inline Name" for every AST element constructor in pandoc's
-- Lua API, found by calling each capitalised constructor with a few argument shapes
-- and asking pandoc.utils.type what came back. Used by tests/test_constructs.py.
local caption = pandoc.Caption and pandoc.Caption() or {}
local argsets = {
  {}, {"x"}, {{}}, {"x", "y"}, {{}, {}}, {1, {}}, {{}, "x"}, {"x", {}},
  {caption, {}, pandoc.TableHead(), {}, pandoc.TableFoot()},
  {{}, {}, {}}, {"x", "y", "z"}, {"InlineMath", "x"}, {"SingleQuote", {}},
  {{}, {}, "x"}, {{}, "x", "y"},
}
local found = {}
for name, ctor in pairs(pandoc) do
  local callable = type(ctor) == "function"
    or (type(ctor) == "table" and getmetatable(ctor) and getmetatable(ctor).__call)
  if name:match("^%u") and name ~= "Pandoc" and callable then
    for _, args in ipairs(argsets) do
      local ok, result = pcall(ctor, table.unpack(args))
      if ok then
        local kind = pandoc.utils.type(result)
        if (kind == "Block" or kind == "Inline") and result.tag == name then
          found[#found + 1] = kind .. " " .. name
          break
        end
      end
    end
  end
end
table.sort(found)
for _, line in ipairs(found) do print(line) end
