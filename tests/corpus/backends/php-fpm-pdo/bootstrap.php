<?php
declare(strict_types=1);
// Shared by every page: production error handling and the PDO connection (persistent: one per FPM child).

set_exception_handler(function (Throwable $e): void {
    error_log('php-fpm-pdo: ' . get_class($e) . ': ' . $e->getMessage());
    if (!headers_sent()) {
        http_response_code(500);
        header('Content-Type: text/plain');
    }
    echo 'Internal Server Error';
});
set_error_handler(function (int $severity, string $message, string $file, int $line): bool {
    throw new ErrorException($message, 0, $severity, $file, $line);
});

function db(): PDO
{
    static $pdo = null;
    if ($pdo === null) {
        $dsn = sprintf('pgsql:host=%s;port=%s;dbname=%s;application_name=php-fpm-pdo',
                       getenv('PGHOST') ?: '127.0.0.1', getenv('PGPORT') ?: '5432', getenv('PGDATABASE') ?: 'app');
        $pdo = new PDO($dsn, getenv('PGUSER') ?: 'app', getenv('PGPASSWORD') ?: 'app', [
            PDO::ATTR_PERSISTENT => true,
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
        ]);
    }
    return $pdo;
}

function json_out(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode($body);
}
