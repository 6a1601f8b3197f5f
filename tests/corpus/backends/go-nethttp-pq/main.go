// go-nethttp-pq: net/http + database/sql + lib/pq. FLAW picks the configuration (see README.md).
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/lib/pq"
)

var (
	db        *sql.DB
	flaw      = os.Getenv("FLAW")
	exportSeq uint64
)

type account struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	Email   string  `json:"email"`
	Balance float64 `json:"balance"`
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Production error answer: log the cause, send a generic 500.
func internalError(w http.ResponseWriter, err error) {
	log.Printf("error: %v", err)
	http.Error(w, "Internal Server Error", http.StatusInternalServerError)
}

// GET /v1/config: the client configuration (feature flags) the mobile app fetches at every start, built once and
// served from memory: no database, a few microseconds of work.
var clientConfig = map[string]interface{}{
	"min_app_version": "4.2.0",
	"features":        map[string]bool{"instant_transfer": true, "statements_v2": false, "dark_mode": true},
	"support_email":   "support@example.com",
}

func getConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, clientConfig)
}

func livez(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// GET /v1/accounts/{id}
func getAccount(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/v1/accounts/"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad id"})
		return
	}
	var a account
	err = db.QueryRowContext(r.Context(), "SELECT id, name, email, balance FROM accounts WHERE id = $1", id).
		Scan(&a.ID, &a.Name, &a.Email, &a.Balance)
	if err == sql.ErrNoRows {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	if err != nil {
		internalError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func listAccounts(ctx context.Context, after int64, limit int) ([]account, error) {
	rows, err := db.QueryContext(ctx, "SELECT id, name, email, balance FROM accounts WHERE id > $1 ORDER BY id LIMIT $2", after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []account{}
	for rows.Next() {
		var a account
		if err := rows.Scan(&a.ID, &a.Name, &a.Email, &a.Balance); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// GET /v1/accounts?limit=20&after=N
func getAccounts(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	list, err := listAccounts(r.Context(), after, limit)
	if err != nil {
		internalError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"accounts": list})
}

// GET /v1/stats: totals per event kind over the whole events table (no filter, nothing an index would help).
func getStats(w http.ResponseWriter, r *http.Request) {
	rows, err := db.QueryContext(r.Context(), "SELECT kind, count(*), avg(amount) FROM events GROUP BY kind ORDER BY kind")
	if err != nil {
		internalError(w, err)
		return
	}
	defer rows.Close()
	type stat struct {
		Kind  string  `json:"kind"`
		Count int64   `json:"count"`
		Avg   float64 `json:"avg_amount"`
	}
	out := []stat{}
	for rows.Next() {
		var s stat
		if err := rows.Scan(&s.Kind, &s.Count, &s.Avg); err != nil {
			internalError(w, err)
			return
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		internalError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"stats": out})
}

// GET /v1/export?after=N: a CSV page of accounts. With FLAW=timeouts every 5th export first waits 3 s on a
// (simulated) upstream archive call.
func getExport(w http.ResponseWriter, r *http.Request) {
	if flaw == "timeouts" && atomic.AddUint64(&exportSeq, 1)%5 == 0 {
		time.Sleep(3 * time.Second)
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	list, err := listAccounts(r.Context(), after, 50)
	if err != nil {
		internalError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	fmt.Fprintln(w, "id,name,email,balance")
	for _, a := range list {
		fmt.Fprintf(w, "%d,%s,%s,%.2f\n", a.ID, a.Name, a.Email, a.Balance)
	}
}

// With FLAW=shed: at most 6 requests in the handlers at once; the rest are refused at once with 503 + Retry-After.
func limitConcurrency(n int, next http.Handler) http.Handler {
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		}
	})
}

func main() {
	var err error
	db, err = sql.Open("postgres", os.Getenv("DATABASE_URL")+"?sslmode=disable&application_name=go-nethttp-pq")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)

	mux := http.NewServeMux()
	mux.HandleFunc("/livez", livez)
	mux.HandleFunc("/v1/config", getConfig)
	mux.HandleFunc("/v1/accounts", getAccounts)
	mux.HandleFunc("/v1/accounts/", getAccount)
	mux.HandleFunc("/v1/stats", getStats)
	mux.HandleFunc("/v1/export", getExport)

	var handler http.Handler = mux
	if flaw == "shed" {
		handler = limitConcurrency(6, mux)
	}
	srv := &http.Server{Addr: "127.0.0.1:" + os.Getenv("PORT"), Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	log.Printf("go-nethttp-pq (%s) on %s", flaw, srv.Addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
	db.Close()
}
