-- wrk script: requests the paths listed in $PATHS_FILE, one after another. Without LOOP each
-- path is requested once (run with -t1 -c1) and the thread stops after the last answer, so the
-- latency percentiles printed are those of exactly these first requests. With LOOP=1 the list
-- repeats until wrk's duration ends.
local paths, i, answered = {}, 0, 0
for line in io.lines(os.getenv("PATHS_FILE")) do
  if #line > 0 then paths[#paths + 1] = line end
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
if os.getenv("LOOP") ~= "1" then
  response = function(status, headers, body)
    answered = answered + 1
    if answered >= #paths then wrk.thread:stop() end
  end
end
done = function(summary, latency, requests)
  io.write(string.format("first requests: %d (of %d paths), errors %d\n", summary.requests, #paths,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("p%d: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max: %.2f ms\n", latency.max / 1000))
end
