-- The adaptive bench's light phase: each connection waits 20 ms between requests (about 50
-- requests a second per connection), so one worker is far from busy.
function delay()
  return 20
end
