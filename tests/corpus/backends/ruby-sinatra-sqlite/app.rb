# Sinatra 3 notes API on SQLite (sqlite3 gem), run by puma (see run.sh). FLAW picks the configuration (README.md).
require 'sinatra/base'
require 'sqlite3'
require 'json'
require 'digest'

class NotesApp < Sinatra::Base
  FLAW = ENV.fetch('FLAW', 'none')
  DB_PATH = ENV.fetch('SQLITE_PATH')
  SQL_LOG_PATH = (ENV['SQL_LOG_PATH'] if ENV['SQL_LOG_PATH'] && !ENV['SQL_LOG_PATH'].empty?)
  SQL_LOG_LOCK = Mutex.new

  configure do
    set :environment, :production
    set :show_exceptions, false
    set :raise_errors, false
    set :dump_errors, false
    set :logging, false
  end

  # One connection per puma thread, opened after the worker forked.
  def self.connection
    Thread.current[:notes_db] ||= begin
      db = SQLite3::Database.new(DB_PATH)
      db.results_as_hash = true
      if FLAW == 'busy'
        # Rollback journal (the file is created in DELETE mode by seed.sh) and no busy timeout:
        # a second writer, or a commit while readers hold SHARED locks, fails at once with SQLITE_BUSY.
        # synchronous = OFF ("commits were slow"): commits take no fsync, so the EXCLUSIVE lock a commit holds
        # is short and the readers rarely collide with it; the writers still collide with each other.
        db.execute('PRAGMA synchronous = OFF')
      else
        # busy_timeout 5000 as a Ruby busy handler: the gem's own busy_timeout (sqlite3 1.4) sleeps in C holding
        # the GVL, which stalls the lock holder when it runs in the same puma worker. Sleeping in Ruby releases it.
        db.busy_handler { |count| count < 5000 && (sleep(0.001); true) }
        db.execute('PRAGMA synchronous = NORMAL')
      end
      db
    end
  end

  # With SQL_LOG_PATH set (the scan case's statement_log), every statement is appended as "<unix_ms><TAB><sql>" (Preflight's app-log format: request id, tab, statement).
  def self.sql_log(sql)
    return unless SQL_LOG_PATH
    line = "#{(Time.now.to_f * 1000).to_i}\t#{sql.gsub(/\s+/, ' ').strip}\n"
    SQL_LOG_LOCK.synchronize do
      @sql_log ||= File.open(SQL_LOG_PATH, 'a').tap { |f| f.sync = true }
      @sql_log.write(line)
    end
  end

  helpers do
    def db
      NotesApp.connection
    end

    def query(sql, *params)
      NotesApp.sql_log(sql)
      db.execute(sql, params)
    end
  end

  before { content_type :json }

  get '/up' do
    query('SELECT 1')
    '{"status":"ok"}'
  end

  get '/notes/search' do
    title = params['title'].to_s
    rows = query('SELECT id, author, title, created_at FROM notes WHERE title = ? LIMIT 20', title)
    { notes: rows }.to_json
  end

  get '/notes/:id' do
    row = query('SELECT id, author, title, body, created_at FROM notes WHERE id = ?', params['id'].to_i).first
    halt 404, '{"error":"not found"}' unless row
    row.to_json
  end

  get '/notes' do
    author = params['author'].to_s
    rows = query('SELECT id, author, title, created_at FROM notes WHERE author = ? ORDER BY id DESC LIMIT 20', author)
    { notes: rows }.to_json
  end

  post '/notes' do
    payload = JSON.parse(request.body.read) rescue {}
    author = payload['author'].to_s.empty? ? 'author-1' : payload['author'].to_s
    title = payload['title'].to_s.empty? ? 'untitled' : payload['title'].to_s
    body = payload['body'].to_s
    id = nil
    # BEGIN IMMEDIATE (healthy): take the write lock up front. The busy configuration keeps the default DEFERRED.
    NotesApp.sql_log(FLAW == 'busy' ? 'BEGIN' : 'BEGIN IMMEDIATE')
    db.execute(FLAW == 'busy' ? 'BEGIN' : 'BEGIN IMMEDIATE')
    begin
      query('INSERT INTO notes (author, title, body, created_at) VALUES (?, ?, ?, ?)', author, title, body, Time.now.to_i)
      id = db.last_insert_row_id
      # Recount the author's notes, digest the note and update the author's summary row. The busy configuration
      # also does a little work inside the transaction (~5 ms standing for templating/notification calls).
      count = query('SELECT count(*) AS n FROM notes WHERE author = ?', author).first['n']
      digest = Digest::SHA256.hexdigest("#{id}:#{title}:#{body}")
      sleep 0.005 if FLAW == 'busy'
      query('UPDATE authors SET note_count = ?, last_digest = ? WHERE name = ?', count, digest, author)
      query('COMMIT')
    rescue StandardError
      # A failed statement or COMMIT (SQLITE_BUSY) must not leave the connection inside the transaction.
      db.execute('ROLLBACK') if db.transaction_active?
      raise
    end
    status 201
    { id: id }.to_json
  end

  not_found do
    content_type :json
    '{"error":"not found"}'
  end

  # Production error page: generic, no exception text.
  error do
    content_type 'text/plain'
    'Internal Server Error'
  end
end
