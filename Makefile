# Run `make help` for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
BIN := bin/authstarter
SWAGGER_UI_VERSION := 5.35.0
BENCH_BIN := bin/authstarter-bench
GO_FILES = $(shell git ls-files --cached --others --exclude-standard '*.go')

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort -t: -k1,1 | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the binary into bin/
	go build -o $(BIN) .

.PHONY: run
run: build ## Create .env if absent, start the local database if used, migrate and serve
	@scripts/prepare.sh env
	@scripts/prepare.sh run-db
	$(BIN) serve

.PHONY: test
test: ## Run every test with the race detector against a real PostgreSQL
	@url=$$(scripts/prepare.sh test-db) && \
		TEST_DATABASE_URL="$$url" go test -race -count=1 ./...

.PHONY: test-browser
test-browser: ## Drive /docs in headless Chromium (apt-get installs chromium when missing)
	@scripts/chromium.sh
	@url=$$(scripts/prepare.sh test-db) && \
		TEST_DATABASE_URL="$$url" go test -tags browser -count=1 -v -run '^TestBrowser' .

.PHONY: cover
cover: ## Report test coverage per package (hand-written code; generated code excluded)
	@mkdir -p tmp && url=$$(scripts/prepare.sh test-db) && \
		TEST_DATABASE_URL="$$url" go test -count=1 -covermode=atomic \
		-coverpkg=$$(go list ./... | grep -v /db/sqlc | paste -sd, -) \
		-coverprofile=tmp/cover.out ./... >/dev/null && \
		scripts/cover.sh tmp/cover.out 90

.PHONY: check
check: ## gofmt, go vet, staticcheck, sqlc vet, and generated code up to date
	@out=$$(gofmt -l $(GO_FILES)); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	go vet -tags browser ./...
	go tool staticcheck -tags browser ./...
	go tool sqlc vet
	@go tool sqlc diff || { echo "db/sqlc is stale: run make generate and commit the result"; exit 1; }

.PHONY: check-extend
check-extend: ## Apply README's "Adding a user field" to a copy of the repo and prove it over HTTP
	@scripts/check-extend.sh

.PHONY: generate
generate: ## Regenerate db/sqlc from db/schema and db/queries
	go tool sqlc generate

.PHONY: swagger-ui
swagger-ui: ## Vendor the pinned swagger-ui-dist from npm into apidocs/ui (commit the result)
	@scripts/swagger-ui.sh $(SWAGGER_UI_VERSION)

.PHONY: db-start
db-start: ## Start the project-local PostgreSQL (data in .data/postgres)
	@scripts/localdb.sh start && scripts/localdb.sh status

.PHONY: db-stop
db-stop: ## Stop the project-local PostgreSQL, keeping its data
	@scripts/localdb.sh stop

.PHONY: db-reset
db-reset: ## Stop the project-local PostgreSQL and delete its data
	@scripts/localdb.sh reset

.PHONY: migrate
migrate: build ## Apply pending migrations to DATABASE_URL
	@scripts/prepare.sh env
	@scripts/prepare.sh run-db
	$(BIN) migrate up

.PHONY: bench
bench: ## Load-benchmark the real server against measured limits (BENCH_FLAGS="-out BENCHMARKS.md -profile tmp/prof")
	go build -tags pprof -o $(BENCH_BIN) .
	go build -o bin/bench ./cmd/bench
	@url=$${BENCH_DATABASE_URL:-$$(scripts/prepare.sh test-db)} && \
		bin/bench -db "$$url" -server $(BENCH_BIN) \
		-pg-pidfile "$$(scripts/localdb.sh datadir)/postmaster.pid" $(BENCH_FLAGS)

.PHONY: bench-quick
bench-quick: ## The load benchmark in quick mode: a few seconds a scenario, rough figures
	@$(MAKE) --no-print-directory bench BENCH_FLAGS="-quick $(BENCH_FLAGS)"

.PHONY: bench-micro
bench-micro: ## Go micro-benchmarks (tokens, passwords, auth middleware) with -benchmem
	go test -run '^$$' -bench . -benchmem ./token ./password ./handlers ./db
